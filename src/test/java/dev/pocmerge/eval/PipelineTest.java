package dev.pocmerge.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.pocmerge.core.Json;
import dev.pocmerge.lora.ChoiceScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scripted fake model (known answers per variant and item) through the whole pipeline: protocols, scoring,
 * the Table 1 layout (golden Markdown), results.json, predictions files read back by {@code score}, the output
 * ensemble and the bootstrap.
 */
class PipelineTest {
    @TempDir
    Path tmp;

    static final List<EvalItem> BOOLQ = items(4, List.of("true", "false"), new String[] {"true", "false", "true", "false"});
    static final List<EvalItem> SIQA = items(5, List.of("answer1", "answer2", "answer3"),
            new String[] {"answer1", "answer2", "answer3", "answer1", "answer2"});
    static final CommonsenseData.Sets DATA = new CommonsenseData.Sets(List.of(CommonsenseTask.BOOLQ,
            CommonsenseTask.SIQA), List.of(BOOLQ, SIQA), List.of(CommonsenseTask.HELLASWAG));

    /** Which items each variant gets right, per set; the base also gives two answers without a label. */
    static final Map<String, Map<CommonsenseTask, Set<Integer>>> RIGHT = Map.of(
            "adapter-0", Map.of(CommonsenseTask.BOOLQ, Set.of(0, 1), CommonsenseTask.SIQA, Set.of(0, 1, 2)),
            "adapter-1", Map.of(CommonsenseTask.BOOLQ, Set.of(0, 1, 2), CommonsenseTask.SIQA, Set.of(0)),
            "PoC merge", Map.of(CommonsenseTask.BOOLQ, Set.of(0, 1, 2, 3), CommonsenseTask.SIQA, Set.of(0, 1, 2, 3)),
            "base", Map.of(CommonsenseTask.BOOLQ, Set.of(), CommonsenseTask.SIQA, Set.of(4)));

    static List<EvalItem> items(int n, List<String> choices, String[] gold) {
        List<EvalItem> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new EvalItem(i, "question " + i, "", gold[i], choices));
        }
        return out;
    }

    static CommonsenseTask taskOf(List<EvalItem> items) {
        return items == BOOLQ ? CommonsenseTask.BOOLQ : CommonsenseTask.SIQA;
    }

    /** The label variant v answers item i with: gold if scripted right, else the next choice. */
    static String answer(String v, List<EvalItem> items, EvalItem it) {
        if (RIGHT.get(v).get(taskOf(items)).contains(it.index())) {
            return it.answer();
        }
        return it.choices().get((it.goldChoice() + 1) % it.choices().size());
    }

    /** Scripted backends; the two singles share one two-slot group, as stacked adapters do. */
    static final class Fake implements BackendFactory {
        @Override
        public List<Group> groups(List<Variant> variants) {
            List<Group> out = new ArrayList<>();
            List<Variant> singles = variants.stream().filter(v -> v.kind() == Variant.Kind.SINGLE).toList();
            if (!singles.isEmpty()) {
                out.add(group(singles));
            }
            variants.stream().filter(v -> v.kind() != Variant.Kind.SINGLE).forEach(v -> out.add(group(List.of(v))));
            return out;
        }

        static Group group(List<Variant> vs) {
            EvalBackend b = new EvalBackend() {
                @Override
                public int slots() {
                    return vs.size();
                }

                @Override
                public String[][] generate(List<EvalItem> items, Decoding d, IntConsumer progress) {
                    String[][] out = new String[vs.size()][items.size()];
                    for (int s = 0; s < vs.size(); s++) {
                        for (int i = 0; i < items.size(); i++) {
                            String name = vs.get(s).name();
                            boolean mute = name.equals("base") && items == BOOLQ && i < 2;
                            out[s][i] = EvalPrompt.of(items.get(i)) + (mute ? "I do not know"
                                    : "the correct answer is " + answer(name, items, items.get(i)));
                        }
                    }
                    progress.accept(items.size());
                    return out;
                }

                @Override
                public ChoiceScorer.Scores loglik(List<EvalItem> items, IntConsumer progress) {
                    double[][][] ll = new double[vs.size()][items.size()][];
                    for (int s = 0; s < vs.size(); s++) {
                        for (int i = 0; i < items.size(); i++) {
                            ll[s][i] = scripted(vs.get(s).name(), items, items.get(i));
                        }
                    }
                    progress.accept(items.size());
                    return new ChoiceScorer.Scores(ll, 10, 25);
                }
            };
            return new Group() {
                @Override
                public List<Variant> variants() {
                    return vs;
                }

                @Override
                public EvalBackend backend() {
                    return b;
                }

                @Override
                public void close() {}
            };
        }
    }

    /** −1 for the scripted answer, −2 − c/2 for choice c otherwise. */
    static double[] scripted(String v, List<EvalItem> items, EvalItem it) {
        String a = answer(v, items, it);
        double[] ll = new double[it.choices().size()];
        for (int c = 0; c < ll.length; c++) {
            ll[c] = it.choices().get(c).equals(a) ? -1 : -2 - 0.5 * c;
        }
        return ll;
    }

    static List<Variant> variants() {
        return List.of(new Variant("adapter-0", Variant.Kind.SINGLE, List.of(), List.of("a0")),
                new Variant("adapter-1", Variant.Kind.SINGLE, List.of(), List.of("a1")),
                new Variant("PoC merge", Variant.Kind.MERGE, List.of(), List.of("m")), Variant.base());
    }

    static Evaluation.Spec spec(Protocol p) {
        return new Evaluation.Spec(p, Decoding.PAPER, 8, 0, Map.of("model", "fake"));
    }

    @Test
    void generationCompareGivesTheScriptedTable() throws Exception {
        Comparison.Outcome o = Comparison.run(new Fake(), variants(), DATA, spec(Protocol.GENERATION),
                new Comparison.Options(false, 200, 0), tmp);
        String golden = """
                | Method | SIQA | BoolQ | Ave. |
                |---|---|---|---|
                | adapter-0 | 60.00 | 50.00 | 55.00 |
                | adapter-1 | 20.00 | 75.00 | 47.50 |
                | LoRA (best) = adapter-0 | 60.00 | 50.00 | 55.00 |
                | LoRA (average) | 40.00 | 62.50 | 51.25 |
                | PoC merge | 80.00 | 100.00 | 90.00 |
                | base | 20.00 | 0.00 | 10.00 |
                """;
        assertEquals(golden, Files.readString(tmp.resolve("table.md")));
        assertEquals("Method,SIQA,BoolQ,Ave.", Files.readString(tmp.resolve("table.csv")).lines().findFirst().get());
        JsonObject r = Json.read(tmp.resolve("results.json")).getAsJsonObject();
        assertEquals("adapter-0", r.get("best_single").getAsString());
        assertEquals("[\"hellaswag\"]", r.get("tasks_missing").toString());
        JsonObject base = r.getAsJsonArray("variants").get(3).getAsJsonObject();
        assertEquals("base", base.get("name").getAsString());
        JsonObject baseBoolq = base.getAsJsonObject("tasks").getAsJsonObject("boolq");
        assertEquals(2, baseBoolq.get("unparsable").getAsInt());
        assertEquals(0.0, baseBoolq.get("accuracy").getAsDouble());
        JsonObject merge = r.getAsJsonArray("variants").get(2).getAsJsonObject().getAsJsonObject("tasks")
                .getAsJsonObject("social_i_qa");
        assertEquals(0.8, merge.get("accuracy").getAsDouble(), 1e-12);
        assertEquals(Math.sqrt(0.8 * 0.2 / 4), merge.get("stderr").getAsDouble(), 1e-12);
        JsonObject boot = r.getAsJsonObject("merge_minus_best_single");
        assertEquals(0.5, boot.getAsJsonObject("boolq").get("difference").getAsDouble(), 1e-12);
        assertEquals(0.2, boot.getAsJsonObject("social_i_qa").get("difference").getAsDouble(), 1e-12);
        assertTrue(boot.getAsJsonObject("boolq").get("ci95_low").getAsDouble() <= 0.5);
        // the predictions files, scored again by `score`, give the same accuracy
        Path preds = tmp.resolve("predictions/poc-merge/predictions-social_i_qa.jsonl");
        TaskResult again = Rescore.score(CommonsenseTask.SIQA, Rescore.read(preds), SIQA, AnswerExtraction.Split.FIRST);
        assertEquals(0.8, again.accuracy(), 1e-12);
        assertEquals(5, Files.readAllLines(preds).size());
    }

    @Test
    void loglikCompareScoresTheOutputEnsemble() throws Exception {
        Comparison.Outcome o = Comparison.run(new Fake(), variants(), DATA, spec(Protocol.LOGLIK),
                new Comparison.Options(true, 100, 0), tmp);
        // the ensemble, computed here from the script: mean of the two singles' log-likelihoods, first argmax
        for (List<EvalItem> items : List.of(BOOLQ, SIQA)) {
            int right = 0;
            int rightNorm = 0;
            for (EvalItem it : items) {
                double[] a = scripted("adapter-0", items, it);
                double[] b = scripted("adapter-1", items, it);
                double[] mean = new double[a.length];
                double[] norm = new double[a.length];
                for (int c = 0; c < a.length; c++) {
                    mean[c] = (a[c] + b[c]) / 2;
                    norm[c] = mean[c] / ("the correct answer is " + it.choices().get(c)).length();
                }
                right += ChoiceScorer.argmax(mean) == it.goldChoice() ? 1 : 0;
                rightNorm += ChoiceScorer.argmax(norm) == it.goldChoice() ? 1 : 0;
            }
            ComparisonTable.Row ens = o.table().rows().stream().filter(x -> x.name().startsWith("output ensemble"))
                    .findFirst().orElseThrow();
            assertEquals((double) right / items.size(), ens.accuracy().get(taskOf(items)), 1e-12);
            JsonObject r = Json.read(tmp.resolve("results.json")).getAsJsonObject();
            JsonObject e = r.getAsJsonArray("variants").get(4).getAsJsonObject();
            assertEquals(Comparison.ENSEMBLE, e.get("name").getAsString());
            assertEquals((double) rightNorm / items.size(), e.getAsJsonObject("tasks")
                    .getAsJsonObject(taskOf(items).folder()).get("acc_norm").getAsDouble(), 1e-12);
        }
        assertEquals(List.of("adapter-0", "adapter-1", "LoRA (best) = adapter-0", "LoRA (average)", "PoC merge",
                "output ensemble (M=2)", "base"), o.table().rows().stream().map(ComparisonTable.Row::name).toList());
        assertEquals(0.6, o.table().rows().get(0).accuracy().get(CommonsenseTask.SIQA), 1e-12);
        JsonObject pass = Json.read(tmp.resolve("results.json")).getAsJsonObject().getAsJsonArray("passes").get(0)
                .getAsJsonObject();
        assertEquals(15, pass.get("tokens_saved").getAsInt());
    }

    @Test
    void evaluateWritesOneRow() throws Exception {
        Variant v = new Variant("PoC merge", Variant.Kind.ADAPTER, List.of(), List.of("m"));
        Evaluation.Outcome o = Evaluation.run(new Fake(), v, DATA, spec(Protocol.GENERATION), tmp);
        assertEquals("""
                | Method | SIQA | BoolQ | Ave. |
                |---|---|---|---|
                | PoC merge | 80.00 | 100.00 | 90.00 |
                """, Files.readString(tmp.resolve("table.md")));
        JsonObject r = Json.read(tmp.resolve("results.json")).getAsJsonObject();
        assertEquals(1.0, r.getAsJsonObject("tasks").getAsJsonObject("boolq").get("accuracy").getAsDouble());
        assertEquals(4, r.getAsJsonObject("decoding").get("num_beams").getAsInt());
        assertEquals(0.9, o.results().get("average"));
        String first = Files.readAllLines(tmp.resolve("predictions-boolq.jsonl")).get(0);
        assertTrue(first.startsWith("{\"index\":0,\"prompt_hash\":\"" + EvalPrompt.hash(EvalPrompt.of(BOOLQ.get(0)))
                + "\",\"output\":\"the correct answer is true\",\"extracted\":\"true\",\"gold\":\"true\","
                + "\"correct\":true}"), first);
    }
}
