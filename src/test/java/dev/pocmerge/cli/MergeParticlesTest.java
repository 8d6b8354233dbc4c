package dev.pocmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code merge --particles}: members trained in separate runs merge to the in-process ensemble's numbers. */
class MergeParticlesTest {
    @TempDir
    Path tmp;

    private static final String[] SMALL = {"ensemble", "--task", "circles", "--M", "4", "--N", "50", "--steps", "15",
        "--lambda", "0.05", "--seed", "5", "--device", "cpu", "--reference", "0", "--json"};

    private JsonObject ensemble(String out, String... extra) {
        String[] args = concat(SMALL, concat(extra, "--out", tmp.resolve(out).toString()));
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exit(), r.err());
        return EnsembleMembersCommandTest.strict(r.out().trim());
    }

    private CliRun merge(String out, String... dirs) {
        String[] args = {"merge", "--device", "cpu", "--json", "--out", tmp.resolve(out).toString(), "--particles"};
        String[] ds = new String[dirs.length];
        for (int i = 0; i < dirs.length; i++) {
            ds[i] = tmp.resolve(dirs[i]).toString();
        }
        return CliRun.of(concat(args, ds));
    }

    @Test
    void mergedRunsMatchTheWholeEnsembleAndMismatchesAreRefused() throws IOException {
        JsonObject whole = ensemble("whole");
        ensemble("a", "--members", "0,1");
        ensemble("b", "--members", "2,3");
        CliRun m = merge("merged", "b", "a");
        assertEquals(0, m.exit(), m.err());
        JsonObject o = EnsembleMembersCommandTest.strict(m.out().trim());
        assertEquals(o, EnsembleMembersCommandTest.strict(Files.readString(tmp.resolve("merged/results.json"))));
        for (String net : new String[] {"merged", "pruned"}) {
            JsonObject want = whole.getAsJsonObject(net);
            JsonObject got = o.getAsJsonObject(net);
            assertEquals(want.keySet(), got.keySet(), net);
            for (String k : want.keySet()) {
                assertEquals(want.get(k).getAsDouble(), got.get(k).getAsDouble(), 1e-6, net + "." + k);
            }
        }
        assertEquals(200, o.getAsJsonObject("merged").get("neurons").getAsInt());
        assertEquals(50, o.getAsJsonObject("pruned").get("neurons").getAsInt());
        for (int j = 0; j < 4; j++) {
            JsonObject want = whole.getAsJsonArray("members").get(j).getAsJsonObject();
            JsonObject got = o.getAsJsonArray("members").get(j).getAsJsonObject();
            assertEquals(j, got.get("index").getAsInt());
            assertEquals(want.get("test_loss").getAsDouble(), got.get("test_loss").getAsDouble(), 1e-6);
        }
        for (String k : whole.keySet()) {
            if (!k.equals("diverged_at")) { // null, dropped by Gson on both sides
                assertTrue(o.has(k), "missing " + k);
            }
        }

        // the same member twice
        CliRun dup = merge("dup", "a", "whole");
        assertEquals(Main.EXIT_USER_ERROR, dup.exit(), dup.err());
        String line = dup.errorLine();
        assertTrue(line.contains(tmp.resolve("a").toString()) && line.contains(tmp.resolve("whole").toString())
                && line.contains("member 0"), line);
        assertEquals(1, dup.err().lines().filter(l -> !l.isBlank()).count(), dup.err());

        // a different hyperparameter
        ensemble("c", "--members", "2,3", "--eta", "0.05");
        CliRun eta = merge("eta", "a", "c");
        assertEquals(Main.EXIT_USER_ERROR, eta.exit(), eta.err());
        line = eta.errorLine();
        assertTrue(line.contains(tmp.resolve("a").toString()) && line.contains(tmp.resolve("c").toString())
                && line.contains("eta"), line);
        assertEquals(1, eta.err().lines().filter(l -> !l.isBlank()).count(), eta.err());

        // --adapters and --particles exclude each other, and one is required
        CliRun both = CliRun.of("merge", "--adapters", tmp.resolve("a").toString(), "--particles",
                tmp.resolve("a").toString());
        assertEquals(Main.EXIT_USER_ERROR, both.exit(), both.err());
        CliRun none = CliRun.of("merge");
        assertEquals(Main.EXIT_USER_ERROR, none.exit(), none.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
