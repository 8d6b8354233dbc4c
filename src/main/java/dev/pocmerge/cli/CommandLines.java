package dev.pocmerge.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** The command line that regenerates a report, for its README. */
final class CommandLines {
    private CommandLines() {}

    /** {@code java [-Dai.djl.pytorch.num_threads=k] -jar target/pocmerge.jar <the args as given>}. */
    static String regenerate(CommandSpec spec) {
        List<String> parts = new ArrayList<>();
        parts.add("java");
        String threads = System.getProperty("ai.djl.pytorch.num_threads");
        if (threads != null) {
            parts.add("-Dai.djl.pytorch.num_threads=" + threads);
        }
        parts.add("-jar target/pocmerge.jar");
        parts.addAll(spec.commandLine().getParseResult().originalArgs());
        return String.join(" ", parts);
    }
}
