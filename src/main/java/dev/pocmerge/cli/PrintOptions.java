package dev.pocmerge.cli;

import picocli.CommandLine.Option;

/** Options of the commands that only print (benchmarks, generate): no run folder, so no {@code --out}. */
public class PrintOptions {
    @Option(names = "--device", defaultValue = "auto", description = "auto|cpu|gpu[:k] (default: ${DEFAULT-VALUE})")
    public String device;

    @Option(names = "--seed", defaultValue = "0", description = "base seed (default: ${DEFAULT-VALUE})")
    public long seed;

    @Option(names = "--json", description = "print one JSON object to stdout instead of the table")
    public boolean json;
}
