package dev.pocmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What a refused command line must look like: exit 2, one stderr line "error: …" naming the flag, nothing written. */
final class Refusals {
    private Refusals() {}

    /** Runs {@code args} and checks the refusal; {@code out} (may be null) must not exist afterwards. */
    static String assertRefused(String flag, Path out, String... args) {
        CliRun r = CliRun.of(args);
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        String cmd = String.join(" ", args);
        assertEquals(2, r.exit(), cmd + "\n" + r.err());
        assertEquals(1, lines.size(), cmd + ": one stderr line expected, got\n" + r.err());
        assertTrue(lines.get(0).startsWith("error: "), cmd + ": " + lines.get(0));
        assertTrue(lines.get(0).contains(flag), cmd + ": the message should name " + flag + ": " + lines.get(0));
        assertFalse(lines.get(0).contains("internal error") || lines.get(0).contains("Exception"), lines.get(0));
        assertEquals("", r.out(), cmd + ": nothing on stdout");
        if (out != null) {
            assertFalse(Files.exists(out), cmd + ": " + out + " must not be written");
        }
        return lines.get(0);
    }

    /** {@code base} with each (flag, value) of {@code extra} replacing that flag's value, or appended. */
    static String[] with(String[] base, String... extra) {
        java.util.List<String> a = new java.util.ArrayList<>(List.of(base));
        for (int i = 0; i < extra.length; i += 2) {
            int at = a.indexOf(extra[i]);
            if (at >= 0) {
                a.set(at + 1, extra[i + 1]);
            } else {
                a.add(extra[i]);
                a.add(extra[i + 1]);
            }
        }
        return a.toArray(String[]::new);
    }

    /** A named pipe (reading one blocks forever), or null where mkfifo is missing. */
    static Path fifo(Path dir) throws IOException, InterruptedException {
        Path p = dir.resolve("pipe");
        try {
            Process pr = new ProcessBuilder("mkfifo", p.toString()).start();
            return pr.waitFor(10, TimeUnit.SECONDS) && pr.exitValue() == 0 ? p : null;
        } catch (IOException e) {
            return null;
        }
    }
}
