package dev.pocmerge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pocmerge bench <job>}: benchmarks that print ratios measured in one run. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (ratios measured in one run).",
        subcommands = {
            BenchEnsembleCommand.class,
            BenchGenerateCommand.class,
            BenchEvalCommand.class,
            BenchLoraCommand.class,
        })
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
