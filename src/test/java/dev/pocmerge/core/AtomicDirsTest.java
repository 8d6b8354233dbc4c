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

class AtomicDirsTest {
    @TempDir
    Path tmp;

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedFillLeavesTheOldFolderAndNoTempBehind() throws Exception {
        Path out = tmp.resolve("out");
        AtomicDirs.write(out, d -> true, "x", d -> Files.writeString(d.resolve("a"), "1"));
        assertEquals("1", Files.readString(out.resolve("a")));
        assertThrows(PocmergeException.class, () -> AtomicDirs.write(out, d -> true, "x", d -> {
            Files.writeString(d.resolve("a"), "2");
            throw new IOException("disk full");
        }));
        assertEquals("1", Files.readString(out.resolve("a")));
        assertEquals(List.of("out"), listing());
        AtomicDirs.write(out, d -> true, "x", d -> Files.writeString(d.resolve("b"), "3"));
        assertFalse(Files.exists(out.resolve("a")), "replaced as a whole");
        assertEquals(List.of("out"), listing());
    }

    @Test
    void aForeignFolderIsNotReplaced() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve("thesis.tex"), "precious");
        PocmergeException e = assertThrows(PocmergeException.class,
                () -> AtomicDirs.write(home, d -> false, "a merge output", d -> { }));
        assertTrue(e.getMessage().contains("a merge output"), e.getMessage());
        assertEquals("precious", Files.readString(home.resolve("thesis.tex")));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        AtomicDirs.write(empty, d -> false, "x", d -> Files.writeString(d.resolve("f"), "ok"));
        assertEquals("ok", Files.readString(empty.resolve("f")), "an empty folder may be filled");
    }
}
