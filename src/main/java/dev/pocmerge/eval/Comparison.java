package dev.pocmerge.eval;

import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pocmerge compare}: the paper's Table 1 / Table 3 over one loaded base. Rows: each single adapter,
 * "LoRA (best)" (the single with the best average, as the paper picks it), "LoRA (average)" (per set the mean of
 * the singles), the PoC merge, optionally the output ensemble of the singles (mean of their per-choice
 * log-likelihoods, loglik protocol), and the base. Per set, a paired bootstrap interval of merge − best single.
 * Writes {@code predictions/<variant>/predictions-<task>.jsonl} as sets finish, then results.json and the table
 * as Markdown, CSV and JSON.
 */
public final class Comparison {
    /** What to add beyond the rows the variants give. */
    public record Options(boolean outputEnsemble, int bootstrapResamples, long seed) {}

    public record Outcome(Map<String, Object> results, ComparisonTable table) {}

    public static final String BEST = "LoRA (best)";
    public static final String AVERAGE = "LoRA (average)";
    public static final String ENSEMBLE = "output ensemble";

    private Comparison() {}

    public static Outcome run(BackendFactory factory, List<Variant> variants, CommonsenseData.Sets data,
            Evaluation.Spec spec, Options options, Path out) {
        long t0 = System.nanoTime();
        Map<String, Map<CommonsenseTask, List<ItemResult>>> scored = new LinkedHashMap<>();
        List<Map<String, Object>> passes = new ArrayList<>();
        for (BackendFactory.Group g : factory.groups(variants)) {
            List<String> names = g.variants().stream().map(Variant::name).toList();
            try (g) {
                String label = names.size() == 1 ? "[" + names.get(0) + "]" : "[" + names.size() + " adapters]";
                EvalRunner.run(g.backend(), label, data, spec.protocol(), spec.decoding(), run -> {
                    for (int s = 0; s < names.size(); s++) {
                        List<ItemResult> items = run.perVariant().get(s);
                        scored.computeIfAbsent(names.get(s), k -> new LinkedHashMap<>()).put(run.task(), items);
                        EvalFiles.predictions(out.resolve("predictions").resolve(EvalFiles.slug(names.get(s))),
                                run.task(), items);
                    }
                    Map<String, Object> pass = new LinkedHashMap<>();
                    pass.put("variants", names);
                    pass.put("task", run.task().folder());
                    pass.put("seconds", run.seconds());
                    pass.put("items_per_s", run.itemsPerSecond());
                    if (spec.protocol() == Protocol.LOGLIK) {
                        pass.putAll(EvalFiles.tokens(run));
                    }
                    passes.add(pass);
                });
            }
        }
        List<Variant> singles = variants.stream().filter(v -> v.kind() == Variant.Kind.SINGLE).toList();
        if (options.outputEnsemble() && singles.size() >= 2) {
            Map<CommonsenseTask, List<ItemResult>> ens = new LinkedHashMap<>();
            for (int t = 0; t < data.found().size(); t++) {
                CommonsenseTask task = data.found().get(t);
                List<List<ItemResult>> members = singles.stream().map(v -> scored.get(v.name()).get(task)).toList();
                List<ItemResult> items = Scoring.ensemble(data.items().get(t), members);
                ens.put(task, items);
                EvalFiles.predictions(out.resolve("predictions").resolve(EvalFiles.slug(ENSEMBLE)), task, items);
            }
            scored.put(ENSEMBLE, ens);
        }
        ComparisonTable table = new ComparisonTable(data.found());
        List<ComparisonTable.Row> singleRows = new ArrayList<>();
        for (Variant v : singles) {
            singleRows.add(row(v.name(), scored.get(v.name())));
        }
        singleRows.forEach(table::add);
        ComparisonTable.Row best = null;
        if (singleRows.size() >= 2) {
            best = ComparisonTable.best(singleRows);
            table.add(new ComparisonTable.Row(BEST + " = " + best.name(), best.accuracy()));
            table.add(ComparisonTable.mean(AVERAGE, singleRows));
        }
        String mergeName = null;
        for (Variant v : variants) {
            if (v.kind() == Variant.Kind.MERGE) {
                mergeName = v.name();
                table.add(row(v.name(), scored.get(v.name())));
            }
        }
        if (scored.containsKey(ENSEMBLE)) {
            table.add(row(ENSEMBLE + " (M=" + singles.size() + ")", scored.get(ENSEMBLE)));
        }
        for (Variant v : variants) {
            if (v.kind() == Variant.Kind.BASE || v.kind() == Variant.Kind.ADAPTER) {
                table.add(row(v.name(), scored.get(v.name())));
            }
        }
        Map<String, Object> bootstrap = new LinkedHashMap<>();
        ComparisonTable.Row bestSingle = best != null ? best : singleRows.isEmpty() ? null : singleRows.get(0);
        if (mergeName != null && bestSingle != null) {
            for (CommonsenseTask task : data.found()) {
                bootstrap.put(task.folder(), PairedBootstrap.of(flags(scored.get(mergeName).get(task)),
                        flags(scored.get(bestSingle.name()).get(task)), options.bootstrapResamples(),
                        options.seed() + task.ordinal()).toJson());
            }
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("command", "compare");
        results.putAll(spec.about());
        results.putAll(EvalFiles.settings(spec.protocol(), spec.decoding(), spec.batchSize(), spec.limit()));
        results.put("tasks_found", data.found().stream().map(CommonsenseTask::folder).toList());
        results.put("tasks_missing", data.missing().stream().map(CommonsenseTask::folder).toList());
        List<Map<String, Object>> vs = new ArrayList<>();
        for (Map.Entry<String, Map<CommonsenseTask, List<ItemResult>>> e : scored.entrySet()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("name", e.getKey());
            variants.stream().filter(x -> x.name().equals(e.getKey())).findFirst().ifPresent(x -> {
                v.put("kind", x.kind().name().toLowerCase(java.util.Locale.ROOT));
                v.put("sources", x.sources());
            });
            Map<String, Object> tasks = new LinkedHashMap<>();
            e.getValue().forEach((task, items) -> tasks.put(task.folder(), TaskResult.of(task, items).toJson()));
            v.put("tasks", tasks);
            v.put("average", row(e.getKey(), e.getValue()).average());
            vs.add(v);
        }
        results.put("variants", vs);
        results.put("best_single", best == null ? null : best.name());
        results.put("table", table.toJson());
        results.put("merge_minus_best_single", bootstrap);
        results.put("passes", passes);
        results.put("seconds", (System.nanoTime() - t0) / 1e9);
        AtomicFiles.writeString(out.resolve("table.md"), table.markdown());
        AtomicFiles.writeString(out.resolve("table.csv"), table.csv());
        Json.writeAtomic(out.resolve("table.json"), table.toJson());
        Json.writeAtomic(out.resolve("results.json"), results);
        return new Outcome(results, table);
    }

    private static ComparisonTable.Row row(String name, Map<CommonsenseTask, List<ItemResult>> byTask) {
        Map<CommonsenseTask, Double> acc = new LinkedHashMap<>();
        byTask.forEach((t, items) -> acc.put(t, TaskResult.of(t, items).accuracy()));
        return new ComparisonTable.Row(name, acc);
    }

    private static boolean[] flags(List<ItemResult> items) {
        boolean[] f = new boolean[items.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = items.get(i).correct();
        }
        return f;
    }
}
