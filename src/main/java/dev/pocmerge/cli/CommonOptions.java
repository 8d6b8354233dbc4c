package dev.pocmerge.cli;

import dev.pocmerge.core.RunDirs;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every job that writes a run folder shares (DESIGN.md, CLI): {@link PrintOptions} and the folder's. */
public class CommonOptions extends PrintOptions {
    @Option(names = "--out", description = "run folder (default: runs/<command>-<timestamp>); an existing non-empty"
            + " folder is refused unless --overwrite")
    public Path out;

    @Option(names = "--overwrite", description = "replace a non-empty --out folder (the old one is kept until this run"
            + " succeeds)")
    public boolean overwrite;

    /** The run folder, made under {@link RunDirs}' contract (refusals, --overwrite). */
    Path runDir(String command) {
        return RunDirs.open(command, out, overwrite);
    }
}
