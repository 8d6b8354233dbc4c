package dev.pocmerge.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;

/**
 * Options every job that writes a run folder shares (DESIGN.md, CLI): {@link PrintOptions} and the folder's
 * ({@link OutOptions}, which the writing commands with no device take alone).
 */
public class CommonOptions extends PrintOptions {
    @Mixin
    public OutOptions folder = new OutOptions();

    /** The run folder, made under {@code RunDirs}' contract (refusals, --overwrite). */
    Path runDir(String command) {
        return folder.runDir(command);
    }
}
