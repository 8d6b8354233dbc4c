package dev.pocmerge.scaleout;

import static org.junit.jupiter.api.Assertions.fail;

import dev.pocmerge.cli.Main;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import picocli.CommandLine;

/**
 * pocmerge command lines as the deployment files spell them: option values, Kubernetes' $(VAR) expansion, and
 * whether the real CLI accepts them. A command line is checked against the CLI that this build has: a command
 * that does not exist yet (the LoRA and evaluation commands are written in parallel) skips with a message, so
 * the check turns on by itself when the command lands.
 */
final class PocmergeArgv {
    private static final Pattern K8S_VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private PocmergeArgv() {}

    /** The value after {@code option} (the first occurrence). */
    static String value(List<String> argv, String option) {
        int i = argv.indexOf(option);
        if (i < 0 || i + 1 >= argv.size()) {
            throw new AssertionError("no " + option + " value in " + argv);
        }
        return argv.get(i + 1);
    }

    /** The values after a multi-value option, up to the next option. */
    static List<String> values(List<String> argv, String option) {
        int i = argv.indexOf(option);
        if (i < 0) {
            throw new AssertionError("no " + option + " in " + argv);
        }
        List<String> out = new ArrayList<>();
        for (int k = i + 1; k < argv.size() && !argv.get(k).startsWith("--"); k++) {
            out.add(argv.get(k));
        }
        return out;
    }

    /** Kubernetes' expansion of $(NAME) in command and args; an unknown name stays as written, as kubelet does. */
    static List<String> expand(List<String> args, Map<String, String> env) {
        return args.stream().map(a -> {
            Matcher m = K8S_VAR.matcher(a);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String v = env.get(m.group(1));
                m.appendReplacement(sb, Matcher.quoteReplacement(v != null ? v : m.group()));
            }
            m.appendTail(sb);
            return sb.toString();
        }).toList();
    }

    /** The $(NAME) references in a list of args. */
    static List<String> references(List<String> args) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            Matcher m = K8S_VAR.matcher(a);
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** Where the images put docker/resume-or-start.sh (DockerImageTest checks the Dockerfile's COPY). */
    static final String RESUME_OR_START = "/opt/pocmerge/bin/resume-or-start";

    /**
     * The pocmerge command lines a container runs, after $(VAR) expansion: its args under the image's ENTRYPOINT,
     * or, through resume-or-start RUN_DIR, its args plus --out RUN_DIR (first start) and plus --resume RUN_DIR
     * (a restart).
     */
    static List<List<String>> runs(List<String> command, List<String> args, Map<String, String> env) {
        List<String> a = expand(args, env);
        if (command == null || command.isEmpty()) {
            return List.of(a);
        }
        if (command.size() != 2 || !command.get(0).equals(RESUME_OR_START)) {
            throw new AssertionError("a pocmerge container runs the ENTRYPOINT or " + RESUME_OR_START
                    + " RUN_DIR, not " + command);
        }
        String dir = expand(command, env).get(1);
        List<String> first = new ArrayList<>(a);
        first.addAll(List.of("--out", dir));
        List<String> restart = new ArrayList<>(a);
        restart.addAll(List.of("--resume", dir));
        return List.of(first, restart);
    }

    /** Parses (does not run) the command line with pocmerge's picocli model; unknown options or bad values fail. */
    static void assertParses(String where, List<String> argv) {
        CommandLine root = new CommandLine(new Main());
        if (argv.isEmpty() || !root.getSubcommands().containsKey(argv.get(0))) {
            Assumptions.abort(where + ": pocmerge has no '" + (argv.isEmpty() ? "" : argv.get(0))
                    + "' command in this build yet, so its options are not checked");
        }
        try {
            root.parseArgs(argv.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            fail(where + ": pocmerge rejects " + argv + ": " + e.getMessage());
        }
    }
}
