package dev.pocmerge.scaleout;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a Dockerfile the deployment tests compare with the pom and run: stages, their ARG/ENV, exec-form
 * ENTRYPOINT/CMD, COPY and RUN lines. Enough of the grammar for our own file, not a general parser: anything
 * it does not understand in an instruction it needs fails the test instead of being skipped.
 */
record Dockerfile(List<Stage> stages) {
    record Copy(String from, String source, String destination) {}

    record Stage(String name, String image, Map<String, String> args, Map<String, String> env,
            List<String> entrypoint, List<String> cmd, List<Copy> copies, List<String> runs, String workdir) {
        Optional<Copy> copyOf(String sourceSuffix) {
            return copies.stream().filter(c -> c.source().endsWith(sourceSuffix)).findFirst();
        }
    }

    private static final Pattern FROM = Pattern.compile("(?i)(\\S+)(?:\\s+AS\\s+(\\S+))?");
    private static final Pattern PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");

    static Dockerfile parse(Path file) throws IOException {
        List<String> instructions = joinContinuations(Files.readAllLines(file));
        List<Stage> stages = new ArrayList<>();
        Builder b = null;
        for (String line : instructions) {
            String[] kv = line.split("\\s+", 2);
            String op = kv[0].toUpperCase();
            String rest = kv.length > 1 ? kv[1].trim() : "";
            if (op.equals("FROM")) {
                if (b != null) {
                    stages.add(b.build());
                }
                Matcher m = FROM.matcher(rest);
                if (!m.matches()) {
                    throw new IllegalArgumentException(file + ": cannot read FROM " + rest);
                }
                b = new Builder(m.group(2), m.group(1));
                continue;
            }
            if (b == null) {
                if (op.equals("ARG")) {
                    continue; // a global ARG before the first FROM: only FROM lines may use it
                }
                throw new IllegalArgumentException(file + ": " + op + " before the first FROM");
            }
            switch (op) {
                case "ARG" -> b.args.putAll(pairs(file, rest));
                case "ENV" -> b.env.putAll(pairs(file, rest));
                case "ENTRYPOINT" -> b.entrypoint = execForm(file, op, rest);
                case "CMD" -> b.cmd = execForm(file, op, rest);
                case "COPY" -> b.copies.add(copy(file, rest));
                case "RUN" -> b.runs.add(rest);
                case "WORKDIR" -> b.workdir = rest;
                default -> { } // LABEL, EXPOSE, USER...: not compared
            }
        }
        if (b != null) {
            stages.add(b.build());
        }
        return new Dockerfile(List.copyOf(stages));
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError("Dockerfile has no stage '" + name + "'"));
    }

    /** The stage `docker build` builds without --target. */
    Stage last() {
        return stages.get(stages.size() - 1);
    }

    private static List<String> joinContinuations(List<String> lines) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && cur.length() == 0)) {
                continue;
            }
            if (line.endsWith("\\")) {
                cur.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            cur.append(line);
            if (cur.length() > 0) {
                out.add(cur.toString().strip());
            }
            cur.setLength(0);
        }
        return out;
    }

    private static Map<String, String> pairs(Path file, String rest) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = PAIR.matcher(rest);
        int end = 0;
        while (m.find()) {
            if (!rest.substring(end, m.start()).isBlank()) {
                break;
            }
            String v = m.group(2);
            out.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
            end = m.end();
        }
        if (!rest.substring(end).isBlank() && !(out.isEmpty() && rest.matches("[A-Za-z_][A-Za-z0-9_]*"))) {
            throw new IllegalArgumentException(file + ": cannot read KEY=VALUE pairs in: " + rest);
        }
        return out;
    }

    /** Shell form would run under /bin/sh -c, which neither passes SIGTERM on nor takes arguments. */
    private static List<String> execForm(Path file, String op, String rest) {
        if (!rest.startsWith("[")) {
            throw new AssertionError(file + ": " + op + " must be in exec form [\"...\"], got: " + rest);
        }
        JsonArray a = JsonParser.parseString(rest).getAsJsonArray();
        List<String> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsString()));
        return List.copyOf(out);
    }

    private static Copy copy(Path file, String rest) {
        String from = null;
        List<String> words = new ArrayList<>(List.of(rest.split("\\s+")));
        while (!words.isEmpty() && words.get(0).startsWith("--")) {
            String flag = words.remove(0);
            if (flag.startsWith("--from=")) {
                from = flag.substring("--from=".length());
            }
        }
        if (words.size() != 2) {
            throw new IllegalArgumentException(file + ": COPY with one source and one destination expected: " + rest);
        }
        return new Copy(from, words.get(0), words.get(1));
    }

    private static final class Builder {
        final String name;
        final String image;
        final Map<String, String> args = new LinkedHashMap<>();
        final Map<String, String> env = new LinkedHashMap<>();
        final List<Copy> copies = new ArrayList<>();
        final List<String> runs = new ArrayList<>();
        List<String> entrypoint = List.of();
        List<String> cmd = List.of();
        String workdir = "/";

        Builder(String name, String image) {
            this.name = name;
            this.image = image;
        }

        Stage build() {
            return new Stage(name, image, Map.copyOf(args), Map.copyOf(env), entrypoint, cmd, List.copyOf(copies),
                    List.copyOf(runs), workdir);
        }
    }
}
