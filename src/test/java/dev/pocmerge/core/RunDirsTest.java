package dev.pocmerge.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --overwrite keeps the old folder until the run succeeds, and puts it back when the run fails. */
class RunDirsTest {
    @TempDir
    Path tmp;

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Path previousRun() throws IOException {
        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve("results.json"), "old");
        return run;
    }

    @Test
    void aFailedOverwriteRestoresThePreviousRun() throws IOException {
        Path run = previousRun();
        assertEquals(run, RunDirs.open("x", run, true));
        assertEquals(List.of(), names(run), "a fresh folder in its place");
        Files.writeString(run.resolve("partial.txt"), "new");
        RunDirs.finish(false);
        assertEquals(List.of("results.json"), names(run));
        assertEquals("old", Files.readString(run.resolve("results.json")));
        assertEquals(List.of("run"), names(tmp));
    }

    @Test
    void aSucceededOverwriteDropsThePreviousRun() throws IOException {
        Path run = previousRun();
        RunDirs.open("x", run, true);
        Files.writeString(run.resolve("results.json"), "new");
        RunDirs.finish(true);
        assertEquals("new", Files.readString(run.resolve("results.json")));
        assertEquals(List.of("run"), names(tmp));
    }

    @Test
    void keptRunsStandEvenWhenTheCommandThenFails() throws IOException {
        Path run = previousRun();
        RunDirs.open("x", run, true);
        Files.writeString(run.resolve("results.json"), "diverged, last finite step");
        RunDirs.keep(run);
        RunDirs.finish(false);
        assertEquals("diverged, last finite step", Files.readString(run.resolve("results.json")));
        assertEquals(List.of("run"), names(tmp));
    }

    @Test
    void refusals() throws IOException {
        Path run = previousRun();
        PocmergeException e = assertThrows(PocmergeException.class, () -> RunDirs.open("x", run, false));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        assertEquals("old", Files.readString(run.resolve("results.json")));
        Path file = tmp.resolve("f");
        Files.writeString(file, "x");
        assertThrows(PocmergeException.class, () -> RunDirs.open("x", file, true));
        PocmergeException cwd = assertThrows(PocmergeException.class, () -> RunDirs.open("x", Path.of("."), true));
        assertTrue(cwd.getMessage().contains("current directory"), cwd.getMessage());
        assertThrows(PocmergeException.class, () -> RunDirs.open("x", Path.of(""), false));
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        assertEquals(empty, RunDirs.open("x", empty, false), "an empty folder is fine without --overwrite");
        assertFalse(Files.exists(Path.of("runs", "x")));
    }
}
