package dev.pocmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pocmerge.core.Json;
import dev.pocmerge.data.MiniCommonsense;
import dev.pocmerge.io.PeftFiles;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.lora.TestAdapters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate}, {@code compare} and {@code score} end to end on a tiny random Llama with two random adapters and
 * their merge, a few rows of the generated three-choice set, and the mistakes a user makes.
 */
class EvalCommandsTest {
    static final List<String> TARGETS = List.of("q_proj", "v_proj", "down_proj");

    @TempDir
    static Path tmp;
    static String base;
    static String data;

    @BeforeAll
    static void setUp() {
        base = tmp.resolve("base").toString();
        assertEquals(0, CliRun.of("tiny-llama", "--out", base, "--hidden", "32", "--intermediate", "48", "--layers", "1",
                "--heads", "2", "--kv-heads", "1").exit());
        LlamaConfig config = LlamaCheckpoint.config(Path.of(base));
        for (int m = 0; m < 2; m++) {
            PeftFiles.write(tmp.resolve("ft/adapters/adapter-" + m), TestAdapters.random(config, TARGETS, 2, 4, 7 + m));
        }
        assertEquals(0, CliRun.of("merge", "--adapters", dir("ft/adapters"), "--out", dir("merged")).exit());
        MiniCommonsense.write(tmp.resolve("data/mini-commonsense"), 4, 6, 0);
        data = dir("data");
    }

    static String dir(String rel) {
        return tmp.resolve(rel).toString();
    }

    static JsonObject json(CliRun r) {
        assertEquals(0, r.exit(), r.err());
        String last = r.out().lines().reduce((a, b) -> b).orElse("");
        return JsonParser.parseString(last).getAsJsonObject();
    }

    @Test
    void compareLoglikStacksTheSinglesAndMatchesEachAlone() throws Exception {
        JsonObject r = json(CliRun.of("compare", "--model", base, "--adapters", dir("ft/adapters"), "--tasks",
                "mini-commonsense", "--data-dir", data, "--protocol", "loglik", "--limit", "3", "--output-ensemble",
                "--out", dir("cmp"), "--json"));
        List<String> rows = new ArrayList<>();
        r.getAsJsonObject("table").getAsJsonArray("rows").forEach(x -> rows.add(x.getAsJsonObject().get("name")
                .getAsString()));
        assertEquals(List.of("adapter-0", "adapter-1", "LoRA (best) = adapter-" + (rows.get(2).endsWith("0") ? 0 : 1),
                "LoRA (average)", "PoC merge", "output ensemble (M=2)", "base"), rows);
        for (String f : List.of("table.md", "table.csv", "table.json", "results.json",
                "predictions/output-ensemble/predictions-mini-commonsense.jsonl")) {
            assertTrue(Files.isRegularFile(tmp.resolve("cmp").resolve(f)), f);
        }
        JsonObject pass = r.getAsJsonArray("passes").get(0).getAsJsonObject();
        assertEquals("[\"adapter-0\",\"adapter-1\"]", pass.get("variants").toString(), "the singles share one pass");
        assertTrue(pass.get("tokens_saved").getAsLong() > 0);
        // member 1 of the stacked pass == adapter-1 evaluated alone; the merge computed here == the merged folder
        json(CliRun.of("evaluate", "--model", base, "--adapter", dir("ft/adapters/adapter-1"), "--tasks",
                "mini-commonsense", "--data-dir", data, "--protocol", "loglik", "--limit", "3", "--out", dir("one"),
                "--json"));
        assertClose(loglik(tmp.resolve("cmp/predictions/adapter-1/predictions-mini-commonsense.jsonl")),
                loglik(tmp.resolve("one/predictions-mini-commonsense.jsonl")));
        json(CliRun.of("compare", "--model", base, "--adapters", dir("ft/adapters"), "--merged", dir("merged"),
                "--tasks", "mini-commonsense", "--data-dir", data, "--protocol", "loglik", "--limit", "3", "--no-base",
                "--out", dir("cmp-merged"), "--json"));
        assertClose(loglik(tmp.resolve("cmp/predictions/poc-merge/predictions-mini-commonsense.jsonl")),
                loglik(tmp.resolve("cmp-merged/predictions/poc-merge/predictions-mini-commonsense.jsonl")));
    }

    @Test
    void compareGenerationAndScoreAgree() throws Exception {
        JsonObject r = json(CliRun.of("compare", "--model", base, "--adapters", dir("ft/adapters"), "--tasks",
                "mini-commonsense", "--data-dir", data, "--beams", "2", "--max-new-tokens", "4", "--limit", "2", "--out",
                dir("gen"), "--json"));
        assertEquals(2, r.getAsJsonObject("decoding").get("num_beams").getAsInt());
        assertEquals("beam search", r.getAsJsonObject("decoding").get("method").getAsString());
        double acc = r.getAsJsonArray("variants").get(2).getAsJsonObject().getAsJsonObject("tasks")
                .getAsJsonObject("mini-commonsense").get("accuracy").getAsDouble();
        Path preds = tmp.resolve("gen/predictions/poc-merge/predictions-mini-commonsense.jsonl");
        JsonObject s = json(CliRun.of("score", "--task", "mini-commonsense", "--predictions", preds.toString(),
                "--data", dir("data/mini-commonsense/test.json"), "--json"));
        assertEquals(acc, s.get("accuracy").getAsDouble(), 1e-12);
        assertEquals(2, s.get("n").getAsInt());
        String table = Files.readString(tmp.resolve("gen/table.md"));
        assertTrue(table.startsWith("| Method | mini | Ave. |\n"), table);
    }

    @Test
    void scoreReadsLlmAdaptersOutputJson() throws Exception {
        Path f = tmp.resolve("la-output.json");
        Files.writeString(f, "[{\"instruction\": \"q\", \"input\": \"\", \"output\": \"the correct answer is true\","
                + " \"answer\": \"true\", \"output_pred\": \"the correct answer is true\", \"pred\": \"true\", \"flag\":"
                + " true}, {\"instruction\": \"q\", \"answer\": \"false\", \"output_pred\": \"True, it is\"},"
                + " {\"instruction\": \"q\", \"answer\": \"false\", \"output_pred\": \"the answer is true\"}]");
        JsonObject s = json(CliRun.of("score", "--task", "boolq", "--predictions", f.toString(), "--json"));
        assertEquals("{\"task\":\"boolq\",\"n\":3,\"accuracy\":0.3333333333333333,\"unparsable\":1}", s.toString());
    }

    @Test
    void userMistakesAreOneLineAndExitTwo() throws Exception {
        String[] common = {"--model", base, "--data-dir", data, "--out", dir("bad")};
        assertError("error: --tasks: unknown task 'sciq'; choose from boolq", cat(new String[] {"evaluate", "--tasks", "sciq"},
                common));
        assertError("error: " + tmp.resolve("data/piqa/test.json") + ": file not found (task piqa)",
                cat(new String[] {"evaluate", "--tasks", "piqa"}, common));
        assertError("error: --output-ensemble averages per-choice log-likelihoods: add --protocol loglik",
                cat(new String[] {"compare", "--adapters", dir("ft/adapters"), "--output-ensemble"}, common));
        assertError("error: --protocol 'mc'", cat(new String[] {"evaluate", "--protocol", "mc"}, common));
        Path bad = tmp.resolve("baddata/boolq/test.json");
        Files.createDirectories(bad.getParent());
        Files.writeString(bad, "[{\"instruction\": \"q\", \"answer\": \"yes\"}]");
        assertError("error: " + bad + ": row 0: field \"answer\" is 'yes', not one of true/false (task boolq)",
                "evaluate", "--model", base, "--data-dir", dir("baddata"), "--tasks", "boolq", "--out", dir("bad2"));
    }

    @Test
    void tasksAllWarnsAboutEachMissingSetAndRunsTheRest() throws Exception {
        Path f = tmp.resolve("some/boolq/test.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "[{\"instruction\": \"Is it?\\n\\nAnswer format: true/false\", \"input\": \"\","
                + " \"output\": \"the correct answer is true\", \"answer\": \"true\"}]");
        CliRun r = CliRun.of("evaluate", "--model", base, "--data-dir", dir("some"), "--beams", "1",
                "--max-new-tokens", "2", "--out", dir("all"), "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(7, r.err().lines().filter(l -> l.startsWith("warning: ") && l.contains("not found")).count(), r.err());
        JsonObject res = Json.read(tmp.resolve("all/results.json")).getAsJsonObject();
        assertEquals("[\"boolq\"]", res.get("tasks_found").toString());
        assertEquals(7, res.getAsJsonArray("tasks_missing").size());
    }

    static void assertError(String prefix, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.errorLine().startsWith(prefix), r.errorLine() + " / expected " + prefix);
    }

    static String[] cat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static List<double[]> loglik(Path jsonl) throws Exception {
        List<double[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            JsonArray a = JsonParser.parseString(line).getAsJsonObject().getAsJsonArray("loglik");
            double[] v = new double[a.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = a.get(i).getAsDouble();
            }
            out.add(v);
        }
        return out;
    }

    static void assertClose(List<double[]> a, List<double[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            for (int c = 0; c < a.get(i).length; c++) {
                assertEquals(a.get(i)[c], b.get(i)[c], 1e-4, "item " + i + " choice " + c);
            }
        }
    }
}
