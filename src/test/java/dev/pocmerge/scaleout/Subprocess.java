package dev.pocmerge.scaleout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command with exactly the given environment and captures its output (to files: no pipe can fill up). */
record Subprocess(int exit, String out, String err) {
    static Subprocess run(List<String> command, Map<String, String> env, Path cwd, Duration timeout)
            throws IOException, InterruptedException {
        Path o = Files.createTempFile("subprocess", ".out");
        Path e = Files.createTempFile("subprocess", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectOutput(o.toFile()).redirectError(e.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                throw new AssertionError(command + " did not finish within " + timeout + "; stderr: "
                        + Files.readString(e, StandardCharsets.UTF_8));
            }
            return new Subprocess(p.exitValue(), Files.readString(o, StandardCharsets.UTF_8),
                    Files.readString(e, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(o);
            Files.deleteIfExists(e);
        }
    }

    String describe() {
        return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
