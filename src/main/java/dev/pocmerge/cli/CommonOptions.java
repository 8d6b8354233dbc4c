package dev.pocmerge.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every job shares (DESIGN.md, CLI). */
public class CommonOptions {
    @Option(names = "--device", defaultValue = "auto", description = "auto|cpu|gpu[:k] (default: ${DEFAULT-VALUE})")
    public String device;

    @Option(names = "--seed", defaultValue = "0", description = "base seed (default: ${DEFAULT-VALUE})")
    public long seed;

    @Option(names = "--out", description = "run folder (default: runs/<command>-<timestamp>)")
    public Path out;

    @Option(names = "--json", description = "print one JSON object to stdout instead of the table")
    public boolean json;
}
