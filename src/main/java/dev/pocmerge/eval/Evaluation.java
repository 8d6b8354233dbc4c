package dev.pocmerge.eval;

import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pocmerge evaluate}: one variant (the base, optionally with adapters) on the loaded sets. Writes
 * {@code predictions-<task>.jsonl} as each set finishes, then {@code results.json} and {@code table.md}.
 */
public final class Evaluation {
    /** How to run, and what results.json should say about the model (model and adapter paths, device). */
    public record Spec(Protocol protocol, Decoding decoding, int batchSize, int limit, Map<String, Object> about) {}

    /** results.json's content and the table. */
    public record Outcome(Map<String, Object> results, ComparisonTable table) {}

    private Evaluation() {}

    public static Outcome run(BackendFactory factory, Variant variant, CommonsenseData.Sets data,
            Spec spec, Path out) {
        long t0 = System.nanoTime();
        Map<String, Object> tasks = new LinkedHashMap<>();
        ComparisonTable table = new ComparisonTable(data.found());
        Map<CommonsenseTask, Double> acc = new LinkedHashMap<>();
        for (BackendFactory.Group g : factory.groups(List.of(variant))) {
            try (g) {
                EvalRunner.run(g.backend(), "", data, spec.protocol(), spec.decoding(), run -> {
                    List<ItemResult> items = run.perVariant().get(0);
                    EvalFiles.predictions(out, run.task(), items);
                    TaskResult r = TaskResult.of(run.task(), items);
                    Map<String, Object> entry = EvalFiles.taskEntry(r, run, spec.protocol());
                    // each set's entry says how it was produced, so it can be read on its own
                    entry.put("protocol", spec.protocol().key());
                    if (spec.protocol() == Protocol.GENERATION) {
                        entry.put("decoding", spec.decoding().describe());
                    }
                    entry.putAll(spec.about());
                    tasks.put(run.task().folder(), entry);
                    acc.put(run.task(), r.accuracy());
                });
            }
        }
        table.add(new ComparisonTable.Row(variant.name(), acc));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("command", "evaluate");
        results.putAll(spec.about());
        results.putAll(EvalFiles.settings(spec.protocol(), spec.decoding(), spec.batchSize(), spec.limit()));
        results.put("tasks_found", data.found().stream().map(CommonsenseTask::folder).toList());
        results.put("tasks_missing", data.missing().stream().map(CommonsenseTask::folder).toList());
        results.put("tasks", tasks);
        results.put("average", table.rows().get(0).average());
        results.put("seconds", (System.nanoTime() - t0) / 1e9);
        AtomicFiles.writeString(out.resolve("table.md"), table.markdown());
        Json.writeAtomic(out.resolve("results.json"), results);
        return new Outcome(results, table);
    }
}
