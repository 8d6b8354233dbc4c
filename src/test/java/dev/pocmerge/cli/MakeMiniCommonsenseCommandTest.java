package dev.pocmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pocmerge.data.MiniCommonsense;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pocmerge make-mini-commonsense}: the files it writes, its JSON summary and its one-line errors. */
class MakeMiniCommonsenseCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesBothFilesAndSummarises() throws IOException {
        Path out = tmp.resolve("mini");
        CliRun r = CliRun.of("make-mini-commonsense", "--out", out.toString(), "--train", "30", "--test", "10",
                "--seed", "3", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonObject o = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertEquals(30, o.get("train").getAsInt());
        assertEquals(10, o.get("test").getAsInt());
        assertEquals(10, o.getAsJsonObject("train_answers").get("answer1").getAsInt());
        MiniCommonsense.Sets s = MiniCommonsense.generate(30, 10, 3);
        assertEquals(MiniCommonsense.dumps(s.train()), read(out.resolve("train.json")));
        assertEquals(MiniCommonsense.dumps(s.test()), read(out.resolve("test.json")));
        try (var files = Files.list(out)) {
            assertEquals(2, files.count(), "no temp files left behind");
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    void badOptionsExitTwoWithOneLine() {
        CliRun noOut = CliRun.of("make-mini-commonsense");
        assertEquals(2, noOut.exit());
        assertTrue(noOut.errorLine().contains("--out DIR is required"), noOut.err());
        CliRun zero = CliRun.of("make-mini-commonsense", "--out", tmp.resolve("z").toString(), "--train", "0");
        assertEquals(2, zero.exit());
        assertTrue(zero.errorLine().contains("--train 0"), zero.err());
        assertFalse(Files.exists(tmp.resolve("z").resolve("train.json")));
    }
}
