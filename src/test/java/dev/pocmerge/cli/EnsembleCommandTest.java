package dev.pocmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnsembleCommandTest {
    @TempDir
    Path tmp;

    private static final String[] SMALL = {"--M", "3", "--N", "40", "--steps", "30", "--device", "cpu"};

    /** Without a reference unless {@code extra} asks for one: these tests are about everything else. */
    private CliRun run(String... extra) {
        if (!java.util.Arrays.asList(extra).contains("--reference")) {
            extra = java.util.Arrays.copyOf(extra, extra.length + 2);
            extra[extra.length - 2] = "--reference";
            extra[extra.length - 1] = "0";
        }
        String[] args = new String[1 + SMALL.length + extra.length];
        args[0] = "ensemble";
        System.arraycopy(SMALL, 0, args, 1, SMALL.length);
        System.arraycopy(extra, 0, args, 1 + SMALL.length, extra.length);
        return CliRun.of(args);
    }

    @Test
    void jsonHasTheContractKeysAndMatchesResultsJson() throws IOException {
        Path out = tmp.resolve("run");
        CliRun r = run("--json", "--out", out.toString(), "--reference", "500");
        assertEquals(0, r.exit(), r.err());
        JsonObject o = EnsembleMembersCommandTest.strict(r.out().trim());
        for (String key : new String[] {"device", "task", "M", "N", "steps", "seconds", "members", "merged", "pruned",
            "reference", "member_indices"}) {
            assertTrue(o.has(key), "missing key " + key);
        }
        for (String key : new String[] {"N", "train_loss", "test_loss"}) {
            assertTrue(o.getAsJsonObject("reference").has(key), "reference." + key);
        }
        assertEquals("cpu", o.get("device").getAsString());
        assertEquals(3, o.get("M").getAsInt());
        JsonArray members = o.getAsJsonArray("members");
        assertEquals(3, members.size());
        for (JsonElement m : members) {
            for (String key : new String[] {"index", "train_loss", "test_loss", "train_acc", "test_acc",
                "sup_to_reference", "rms_to_reference"}) {
                assertTrue(m.getAsJsonObject().has(key), key);
            }
        }
        JsonObject file = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
        assertEquals(o, file);
        assertTrue(Files.exists(out.resolve("config.json")));
        assertTrue(Files.exists(out.resolve("particles.safetensors")));
        try (var s = Files.list(out)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temp files left behind");
        }
    }

    @Test
    void sameSeedSameResultsOtherSeedOtherResults() {
        JsonObject a = json(run("--json", "--seed", "5", "--out", tmp.resolve("a").toString()));
        JsonObject b = json(run("--json", "--seed", "5", "--out", tmp.resolve("b").toString()));
        JsonObject c = json(run("--json", "--seed", "6", "--out", tmp.resolve("c").toString()));
        assertEquals(a.get("members"), b.get("members"));
        assertEquals(a.get("merged"), b.get("merged"));
        assertFalse(a.get("members").equals(c.get("members")));
    }

    @Test
    void regressionTaskReportsMseWithoutAccuracy() {
        JsonObject o = json(run("--task", "multiindex", "--json", "--out", tmp.resolve("mi").toString()));
        JsonObject merged = o.getAsJsonObject("merged");
        assertTrue(merged.has("test_loss"));
        assertFalse(merged.has("test_acc"));
        assertEquals(102, o.get("D").getAsInt());
    }

    @Test
    void divergenceStopsWithTheStepAndLeavesFiniteResults() throws IOException {
        Path out = tmp.resolve("div");
        CliRun r = run("--eta", "1e6", "--out", out.toString());
        assertEquals(2, r.exit());
        assertTrue(r.errorLine().matches("error: diverged at step \\d+ .*"), r.errorLine());
        String text = Files.readString(out.resolve("results.json"));
        assertFalse(text.contains("NaN") || text.contains("Infinity"), text);
        JsonObject o = JsonParser.parseString(text).getAsJsonObject();
        int at = o.get("diverged_at").getAsInt();
        assertEquals(at - 1, o.get("steps_done").getAsInt());
        assertTrue(r.errorLine().contains("step " + at));
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws IOException {
        Path missingField = Files.writeString(tmp.resolve("missing.csv"), "1,2,1\n3,,-1\n");
        Path nonNumeric = Files.writeString(tmp.resolve("word.csv"), "1,2,1\n3,abc,-1\n");
        Path nan = Files.writeString(tmp.resolve("nan.csv"), "1,2,1\n3,NaN,-1\n");
        Map<String[], String> cases = Map.of(
                new String[] {"--data", missingField.toString()}, "missing.csv: line 2, column 2: missing value",
                new String[] {"--data", nonNumeric.toString()}, "word.csv: line 2, column 2: 'abc' is not a number",
                new String[] {"--data", nan.toString()}, "nan.csv: line 2, column 2: NaN is not finite",
                new String[] {"--data", tmp.resolve("nope.csv").toString()}, "nope.csv: file not found",
                new String[] {"--M", "0"}, "--M",
                new String[] {"--N", "-3"}, "--N",
                new String[] {"--eta", "0"}, "--eta",
                new String[] {"--eta", "-1"}, "--eta",
                new String[] {"--task", "spirals"}, "--task",
                new String[] {"--prune", "121"}, "--prune");
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            CliRun r = run(c.getKey());
            assertEquals(2, r.exit(), String.join(" ", c.getKey()) + ": " + r.err());
            assertTrue(r.errorLine().contains(c.getValue()), r.errorLine() + " should name " + c.getValue());
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count());
            assertFalse(r.err().contains("Exception"), r.err());
        }
    }

    @Test
    void gpuWithoutGpuExits2() {
        assumeTrue(dev.pocmerge.core.Engines.pytorch().getGpuCount() == 0,
                "only meaningful on a CPU-only machine");
        CliRun r = CliRun.of("ensemble", "--device", "gpu", "--steps", "1");
        assertEquals(2, r.exit());
        assertTrue(r.errorLine().contains("no GPU"), r.errorLine());
    }

    @Test
    void csvDataTrains() throws IOException {
        StringBuilder sb = new StringBuilder("x1,x2,label\n");
        java.util.Random rng = new java.util.Random(1);
        for (int i = 0; i < 60; i++) {
            double a = rng.nextGaussian();
            double b = rng.nextGaussian();
            sb.append(a).append(',').append(b).append(',').append(a + b > 0 ? 1 : 0).append('\n');
        }
        Path csv = Files.writeString(tmp.resolve("lin.csv"), sb.toString());
        JsonObject o = json(run("--data", csv.toString(), "--json", "--out", tmp.resolve("csv").toString()));
        assertEquals("lin.csv", o.get("task").getAsString());
        assertEquals(48, o.get("n_train").getAsInt());
        assertTrue(o.getAsJsonObject("merged").get("train_acc").getAsDouble() > 0.85, o.toString());
    }

    @Test
    void pruningToAllNeuronsScoresLikeTheMergedNet() {
        JsonObject all = json(run("--json", "--prune", "120", "--out", tmp.resolve("p1").toString()));
        JsonObject merged = all.getAsJsonObject("merged");
        JsonObject pruned = all.getAsJsonObject("pruned");
        assertEquals(120, pruned.get("neurons").getAsInt());
        assertEquals(merged.get("test_loss").getAsDouble(), pruned.get("test_loss").getAsDouble(), 1e-5);
        JsonObject few = json(run("--json", "--prune", "7", "--out", tmp.resolve("p2").toString()))
                .getAsJsonObject("pruned");
        assertTrue(Math.abs(few.get("train_loss").getAsDouble() - merged.get("train_loss").getAsDouble()) > 1e-6);
    }

    @Test
    void benchEnsemblePrintsTheContractKeys() {
        CliRun r = CliRun.of("bench", "ensemble", "--task", "multiindex", "--M", "3", "--N", "20", "--steps", "5",
                "--autograd-steps", "2", "--sequential-steps", "2", "--warmup-steps", "7", "--device", "cpu", "--json");
        JsonObject o = json(r);
        assertEquals(7, o.get("warmup_steps").getAsInt());
        for (String key : new String[] {"batched_steps_per_s", "batched_cold_steps_per_s", "autograd_steps_per_s",
            "sequential_steps_per_s", "matmul_gflops", "step_gflops"}) {
            assertTrue(o.get(key).getAsDouble() > 0, key + " in " + o);
        }
        // step_gflops is the step's GEMM FLOPs (4·M·N·n·D) times its rate
        double flop = 4.0 * 3 * 20 * o.get("n_train").getAsInt() * o.get("D").getAsInt();
        assertEquals(flop * o.get("batched_steps_per_s").getAsDouble() / 1e9, o.get("step_gflops").getAsDouble(),
                1e-9 * flop);
    }

    private static JsonObject json(CliRun r) {
        assertEquals(0, r.exit(), r.err());
        return JsonParser.parseString(r.out().trim()).getAsJsonObject();
    }
}
