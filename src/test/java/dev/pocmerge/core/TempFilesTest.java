package dev.pocmerge.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An interrupted writer leaves no temp that a later run trips on (SIGTERM: the hook; kill -9: the next writer). */
class TempFilesTest {
    @TempDir
    Path tmp;

    /** Child JVM: starts a write of the given kind into args[1], says "ready" with its temp on disk, then hangs. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[1]);
            Runnable ready = () -> {
                System.out.println("ready");
                System.out.flush();
                sleepForever();
            };
            switch (args[0]) {
                case "file" -> AtomicFiles.write(dir.resolve("results.json"), out -> {
                    out.write("{\"half\":".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    ready.run();
                });
                case "dir" -> AtomicDirs.write(dir.resolve("adapter"), p -> true, "x", t -> {
                    Files.writeString(t.resolve("adapter_config.json"), "{}");
                    ready.run();
                });
                case "overwrite" -> {
                    Path run = RunDirs.open("x", dir.resolve("run"), true);
                    Files.writeString(run.resolve("partial.txt"), "new");
                    ready.run();
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
        }

        private static void sleepForever() {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Process start(String kind) throws IOException, InterruptedException {
        Path log = tmp.resolve(kind + ".log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Child.class.getName(), kind, tmp.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("ready")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("child did not get ready: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return p;
    }

    private List<Path> temps(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> TempFiles.isTempName(p.getFileName().toString())).toList();
        }
    }

    @Test
    void sigtermLeavesNoTempFileOrFolder() throws Exception {
        for (String kind : List.of("file", "dir")) {
            Process p = start(kind);
            assertEquals(1, temps(tmp).size(), kind + ": the child's temp exists while it writes");
            p.destroy(); // SIGTERM on Linux
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(List.of(), temps(tmp), kind + ": the shutdown hook removed the temp");
            assertFalse(Files.exists(tmp.resolve("results.json")) || Files.exists(tmp.resolve("adapter")));
        }
    }

    @Test
    void sigtermDuringOverwritePutsThePreviousRunBack() throws Exception {
        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve("results.json"), "{\"old\":true}");
        Process p = start("overwrite");
        assertFalse(Files.exists(run.resolve("results.json")), "the old folder is set aside while the run writes");
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals("{\"old\":true}", Files.readString(run.resolve("results.json")));
        assertFalse(Files.exists(run.resolve("partial.txt")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().startsWith(".run.")).toList());
        }
    }

    @Test
    void killMinusNineLeavesATempThatTheNextWriterRemoves() throws Exception {
        Process p = start("file");
        p.destroyForcibly(); // kill -9: no hook runs
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, temps(tmp).size(), "kill -9 leaves the temp (what the cleanup is for)");
        AtomicFiles.writeString(tmp.resolve("other.txt"), "x");
        assertEquals(List.of(), temps(tmp), "the next writer into the folder removed the dead writer's temp");
    }

    @Test
    void staleTempsOfDeadWritersGoButLiveOnesStay() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        long parent = ProcessHandle.current().parent().orElseThrow().pid(); // alive while this test runs
        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        Path stale = run.resolve(".results.json.pocmerge-" + dead.pid() + "-abc.tmp");
        Path live = tmp.resolve(".other.pocmerge-" + parent + "-abc.tmp");
        Files.writeString(stale, "half");
        Files.writeString(live, "half");
        // a folder holding only a dead writer's temp is empty for --out, and the temp is gone
        assertEquals(run, RunDirs.open("x", run, false));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(live), "a temp of a running process is not touched");
        assertFalse(TempFiles.isTempName("results.json"));
        assertFalse(TempFiles.isTempName(".results.json.pocmerge-12-abc.old"));
    }
}
