package dev.pocmerge.cli;

import dev.pocmerge.core.RunDirs;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out} and {@code --overwrite}: alone for writing commands with no device, and inside {@link CommonOptions}. */
public class OutOptions {
    @Option(names = "--out", description = "run folder (default: runs/<command>-<timestamp>); an existing non-empty"
            + " folder is refused unless --overwrite")
    public Path out;

    @Option(names = "--overwrite", description = "replace a non-empty --out folder (the old one is kept until this run"
            + " succeeds)")
    public boolean overwrite;

    Path runDir(String command) {
        return RunDirs.open(command, out, overwrite);
    }
}
