package dev.pocmerge.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.pocmerge.core.JsonLines;
import dev.pocmerge.meanfield.EnsembleTraining;
import dev.pocmerge.meanfield.Metrics;
import dev.pocmerge.report.ResultsJson;
import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * The ensemble run's {@code metrics.jsonl}. The trainer hands the command only a step count (the
 * {@code EnsembleTraining.run} overload with a reference and pruning passes no particles), so the rows logged
 * while training say how far and how fast ({@code phase} ensemble or reference, {@code step}, {@code seconds}
 * since the phase began); after training one row per phase holds the losses of that phase's final step.
 */
final class EnsembleMetrics implements IntConsumer {
    private final JsonLines out;
    private final int steps;
    private final int every;
    private final long t0 = System.nanoTime();
    private long phaseStart = t0;
    private boolean inReference;

    /** Logs every {@code max(1, steps/50)} steps and the last one of each phase. */
    EnsembleMetrics(Path dir, int steps) {
        this.out = new JsonLines(dir.resolve("metrics.jsonl"));
        this.steps = steps;
        this.every = Math.max(1, steps / 50);
    }

    /** {@code done}: steps over both trainings, as {@link EnsembleTraining#totalSteps} counts them. */
    @Override
    public void accept(int done) {
        boolean reference = done > steps;
        if (reference && !inReference) {
            inReference = true;
            phaseStart = System.nanoTime();
        }
        int k = reference ? done - steps : done;
        if (k % every == 0 || k == steps) {
            JsonObject row = new JsonObject();
            row.addProperty("phase", reference ? "reference" : "ensemble");
            row.addProperty("step", k);
            row.addProperty("seconds", (System.nanoTime() - phaseStart) / 1e9);
            out.append(row);
        }
    }

    /** The final rows: every member's and the merged net's losses, and the reference's. */
    void finish(EnsembleTraining.Result r, int[] members) {
        JsonObject row = new JsonObject();
        row.addProperty("phase", "ensemble");
        row.addProperty("step", r.outcome().stepsDone());
        row.addProperty("seconds", r.outcome().seconds());
        row.addProperty("final", true);
        JsonArray ms = new JsonArray();
        for (int j = 0; j < members.length; j++) {
            JsonObject m = ResultsJson.metrics(r.report().members().get(j));
            m.addProperty("index", members[j]);
            ms.add(m);
        }
        row.add("members", ms);
        row.add("merged", ResultsJson.metrics(r.report().merged()));
        out.append(row);
        if (r.reference() != null) {
            Metrics m = r.reference().metrics();
            JsonObject ref = ResultsJson.metrics(m);
            ref.addProperty("phase", "reference");
            ref.addProperty("step", r.reference().outcome().stepsDone());
            ref.addProperty("seconds", r.reference().outcome().seconds());
            ref.addProperty("final", true);
            out.append(ref);
        }
    }
}
