package dev.pocmerge.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.meanfield.EnsembleSpec;
import dev.pocmerge.meanfield.EnsembleTraining;
import dev.pocmerge.meanfield.Evaluation;
import dev.pocmerge.meanfield.Metrics;
import java.nio.file.Path;

/** The ensemble job's JSON (a contract other tools read: keep the key names) and its table. */
public final class ResultsJson {
    private ResultsJson() {}

    public static JsonObject config(EnsembleSpec spec, Dataset ds, String device) {
        JsonObject o = new JsonObject();
        o.addProperty("device", device);
        o.addProperty("task", ds.name());
        o.addProperty("M", spec.members());
        o.addProperty("N", spec.neurons());
        o.addProperty("D", ds.d() + 2);
        o.addProperty("n_train", ds.nTrain());
        o.addProperty("n_test", ds.nTest());
        o.addProperty("neuron", spec.neuron().name());
        o.addProperty("loss", spec.loss().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("steps", spec.mfld().steps());
        o.addProperty("eta", spec.mfld().eta());
        o.addProperty("lambda", spec.mfld().lambda());
        o.addProperty("lambda_prime", spec.mfld().lambdaPrime());
        o.addProperty("dynamics", spec.mfld().dynamics().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("gamma", spec.mfld().gamma());
        o.addProperty("batch_size", spec.mfld().batchSize());
        o.addProperty("seed", spec.seed());
        return o;
    }

    public static JsonObject ensemble(EnsembleSpec spec, Dataset ds, String device, EnsembleTraining.Result r,
            Path dir) {
        JsonObject o = config(spec, ds, device);
        o.addProperty("steps_done", r.outcome().stepsDone());
        o.addProperty("seconds", r.outcome().seconds());
        if (r.outcome().diverged()) {
            o.addProperty("diverged_at", r.outcome().divergedAt());
        } else {
            o.add("diverged_at", JsonNull.INSTANCE);
        }
        JsonArray members = new JsonArray();
        for (Metrics m : r.report().members()) {
            members.add(metrics(m));
        }
        o.add("members", members);
        o.add("merged", metrics(r.report().merged()));
        o.addProperty("run_dir", dir.toString());
        return o;
    }

    public static JsonObject metrics(Metrics m) {
        JsonObject o = new JsonObject();
        o.addProperty("train_loss", m.trainLoss());
        o.addProperty("test_loss", m.testLoss());
        if (m.trainAcc() != null) {
            o.addProperty("train_acc", m.trainAcc());
            o.addProperty("test_acc", m.testAcc());
        }
        return o;
    }

    public static Table table(Evaluation.Report report, boolean classification) {
        return table(report, null, null, classification);
    }

    /** Members, the merged net, and (when given) the merged net pruned to {@code pruneTo} neurons. */
    public static Table table(Evaluation.Report report, Metrics pruned, Integer pruneTo, boolean classification) {
        String loss = classification ? "logistic" : "mse";
        Table t = classification
                ? new Table("network", "train_" + loss, "test_" + loss, "train_acc", "test_acc")
                : new Table("network", "train_" + loss, "test_" + loss);
        int i = 1;
        for (Metrics m : report.members()) {
            add(t, "member " + i++, m, classification);
        }
        add(t, "merged", report.merged(), classification);
        if (pruned != null) {
            add(t, "pruned to " + pruneTo, pruned, classification);
        }
        return t;
    }

    private static void add(Table t, String name, Metrics m, boolean cls) {
        if (cls) {
            t.row(name, m.trainLoss(), m.testLoss(), m.trainAcc(), m.testAcc());
        } else {
            t.row(name, m.trainLoss(), m.testLoss());
        }
    }
}
