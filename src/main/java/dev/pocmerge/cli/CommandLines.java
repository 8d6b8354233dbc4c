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

    /** The device in words plus what bounds a CPU run's speed, for wall times in reports. */
    static String machine(String device) {
        String threads = System.getProperty("ai.djl.pytorch.num_threads", "default");
        return device + " (" + Runtime.getRuntime().availableProcessors() + " cores visible, libtorch intra-op threads: "
                + threads + ")";
    }
}
