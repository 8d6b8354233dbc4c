package dev.pocmerge.cli;

import dev.pocmerge.core.Engines;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.RunDirs;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code pocmerge <command>}. Subcommands hold no logic beyond parsing and wiring. */
@Command(name = "pocmerge", mixinStandardHelpOptions = true, version = "pocmerge 0.1.0",
        description = "Mean-field Langevin ensembles and LoRA ensembles with their PoC merge (DJL, PyTorch).",
        subcommands = {
            EnsembleCommand.class,
            BenchCommand.class,
            TinyLlamaCommand.class,
            GenerateCommand.class,
            SupnormCommand.class,
            LambdaSweepCommand.class,
            MakeMiniCommonsenseCommand.class,
            FinetuneCommand.class,
            LaunchCommand.class,
            LoraMiniCommand.class,
            MergeCommand.class,
            EvaluateCommand.class,
            CompareCommand.class,
            ScoreCommand.class,
            PlanEnsembleCommand.class,
            InterpolateCommand.class,
            ParticlesFpCommand.class,
            DynamicsCommand.class,
            SymmetriesCommand.class,
            PlanCommand.class,
        })
public final class Main implements Runnable {
    public static final int EXIT_USER_ERROR = 2;

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        Engines.setOfflineFlags();
        boolean debug = Arrays.asList(args).contains("--debug");
        String[] rest = Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        CommandLine cl = new CommandLine(new Main());
        cl.getSubcommands().get("launch").setStopAtPositional(true); // the child's options are not launch's
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable t = ex;
            while (!(t instanceof PocmergeException) && t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            if (t instanceof PocmergeException) {
                System.err.println("error: " + t.getMessage());
                if (debug) {
                    ex.printStackTrace();
                }
                return EXIT_USER_ERROR;
            }
            System.err.println("internal error: " + ex + (debug ? "" : " (run with --debug for the stack trace)"));
            if (debug) {
                ex.printStackTrace();
            }
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            // one line, as every user error: picocli's message (it names the option) and where to look
            System.err.println("error: " + ex.getMessage().replace('\n', ' ').strip() + " (see: "
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return EXIT_USER_ERROR;
        });
        int code = 1;
        try {
            code = cl.execute(rest);
            return code;
        } finally {
            RunDirs.finish(code == 0); // --overwrite: drop the old folder, or put it back when the run failed
        }
    }
}
