package dev.pocmerge.experiments.dynamics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dynamics comparison end to end on a short run, and its one-line errors. */
class DynamicsCommandTest {
    @TempDir
    Path tmp;

    @Test
    void shortRunRecordsEveryDynamicsAndTheObjectiveFalls() throws Exception {
        Path out = tmp.resolve("dyn");
        assertEquals(0, Main.run("dynamics", "--gammas", "1", "--M", "2", "--N", "20", "--steps-scale", "0.05",
                "--device", "cpu", "--json", "--out", out.toString()));
        List<String> csv = Files.readAllLines(out.resolve("curves.csv"));
        assertEquals("task,dynamics,gamma,step,objective,test_error", csv.get(0));
        // circles T=10 every 2 → 6 records, multi-index T=75 every 10 → 8, each for 2 dynamics
        assertEquals(1 + 2 * 6 + 2 * 8, csv.size());
        String[] first = csv.get(1).split(",", -1);
        String[] lastOver = csv.get(6).split(",", -1);
        String[] firstKinetic = csv.get(7).split(",", -1);
        assertEquals("0", first[3]);
        assertEquals(first[4], firstKinetic[4], "both dynamics start from the same particles");
        assertTrue(Double.parseDouble(lastOver[4]) < Double.parseDouble(first[4]), "overdamped F falls");
        assertTrue(Files.readString(out.resolve("README.md")).contains("dynamics --gammas 1"));
        assertTrue(Files.size(out.resolve("dynamics.png")) > 10_000);
        Path bad = tmp.resolve("bad");
        assertEquals(2, Main.run("dynamics", "--gammas", "25", "--out", bad.toString()), "γη ≥ 2 on circles");
        assertEquals(2, Main.run("dynamics", "--gammas", "-1", "--out", bad.toString()));
        assertEquals(2, Main.run("dynamics", "--M", "0", "--out", bad.toString()));
        assertEquals(2, Main.run("dynamics", "--steps-scale", "0", "--out", bad.toString()));
        assertTrue(!Files.exists(bad));
    }
}
