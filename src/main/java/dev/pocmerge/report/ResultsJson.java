package dev.pocmerge.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.meanfield.EnsembleSpec;
import dev.pocmerge.meanfield.EnsembleTraining;
import dev.pocmerge.meanfield.Evaluation;
import dev.pocmerge.meanfield.Metrics;
import dev.pocmerge.meanfield.Reference;
import dev.pocmerge.meanfield.ReferenceDistance;
import java.nio.file.Path;
import java.util.List;

/** The ensemble job's JSON (a contract other tools read: keep the key names) and its table. */
public final class ResultsJson {
    private ResultsJson() {}

    /** The resolved settings; {@code member_indices} are the global indices this run trains. */
    public static JsonObject config(EnsembleSpec spec, Dataset ds, String device, EnsembleTraining.Options opt) {
        JsonObject o = new JsonObject();
        o.addProperty("device", device);
        o.addProperty("task", ds.name());
        o.addProperty("M", spec.members());
        JsonArray ids = new JsonArray();
        for (int m : spec.trained()) {
            ids.add(m);
        }
        o.add("member_indices", ids);
        o.addProperty("N", spec.neurons());
        o.addProperty("D", ds.d() + 2);
        o.addProperty("n_train", ds.nTrain());
        o.addProperty("n_test", ds.nTest());
        o.addProperty("neuron", spec.neuron().name());
        if (!Double.isNaN(spec.neuron().scale())) {
            o.addProperty("R", spec.neuron().scale());
        }
        o.addProperty("loss", spec.loss().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("steps", spec.mfld().steps());
        o.addProperty("eta", spec.mfld().eta());
        o.addProperty("lambda", spec.mfld().lambda());
        o.addProperty("lambda_prime", spec.mfld().lambdaPrime());
        o.addProperty("dynamics", spec.mfld().dynamics().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("gamma", spec.mfld().gamma());
        o.addProperty("batch_size", spec.mfld().batchSize());
        o.addProperty("seed", spec.seed());
        o.addProperty("reference_neurons", opt.referenceNeurons());
        o.addProperty("prune", opt.pruneTo());
        return o;
    }

    /**
     * The config plus the outcome: {@code members[]} (each with its global {@code index}), {@code merged},
     * {@code pruned} (when pruning), {@code reference} and, in every network's object, {@code sup_to_reference} /
     * {@code rms_to_reference}; without a reference those keys are absent (our Gson drops nulls).
     */
    public static JsonObject ensemble(EnsembleSpec spec, Dataset ds, String device, EnsembleTraining.Result r,
            Path dir, EnsembleTraining.Options opt) {
        JsonObject o = config(spec, ds, device, opt);
        o.addProperty("steps_done", r.outcome().stepsDone());
        o.addProperty("seconds", r.outcome().seconds());
        if (r.outcome().diverged()) {
            o.addProperty("diverged_at", r.outcome().divergedAt());
        } else {
            o.add("diverged_at", JsonNull.INSTANCE);
        }
        EnsembleTraining.Closeness c = r.closeness();
        int[] ids = spec.trained();
        List<Metrics> ms = r.report().members();
        JsonArray members = new JsonArray();
        for (int j = 0; j < ms.size(); j++) {
            JsonObject m = new JsonObject();
            m.addProperty("index", ids[j]);
            copy(metrics(ms.get(j)), m);
            distance(m, c == null ? null : c.members().get(j));
            members.add(m);
        }
        o.add("members", members);
        JsonObject merged = metrics(r.report().merged());
        merged.addProperty("neurons", ids.length * spec.neurons());
        distance(merged, c == null ? null : c.merged());
        o.add("merged", merged);
        if (r.pruned() != null) {
            JsonObject p = new JsonObject();
            p.addProperty("neurons", r.pruned().neurons());
            copy(metrics(r.pruned().metrics()), p);
            distance(p, c == null ? null : c.pruned());
            o.add("pruned", p);
        }
        if (r.reference() != null) {
            o.add("reference", reference(r.reference()));
        }
        o.addProperty("run_dir", dir.toString());
        return o;
    }

    private static JsonObject reference(Reference ref) {
        JsonObject o = new JsonObject();
        o.addProperty("N", ref.neurons());
        o.addProperty("seed", ref.seed());
        o.addProperty("steps_done", ref.outcome().stepsDone());
        o.addProperty("seconds", ref.outcome().seconds());
        if (ref.outcome().diverged()) {
            o.addProperty("diverged_at", ref.outcome().divergedAt());
        } else {
            o.add("diverged_at", JsonNull.INSTANCE);
        }
        copy(metrics(ref.metrics()), o);
        return o;
    }

    private static void distance(JsonObject o, ReferenceDistance d) {
        if (d != null) {
            o.addProperty("sup_to_reference", d.sup());
            o.addProperty("rms_to_reference", d.rms());
        }
    }

    private static void copy(JsonObject from, JsonObject to) {
        from.entrySet().forEach(e -> to.add(e.getKey(), e.getValue()));
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

    /**
     * Members (by global index), the merged net, the pruned net and the reference, with each network's distance to
     * the reference when there is one.
     */
    public static Table table(EnsembleSpec spec, EnsembleTraining.Result r, boolean classification) {
        String loss = classification ? "logistic" : "mse";
        boolean ref = r.closeness() != null;
        java.util.List<String> head = new java.util.ArrayList<>(List.of("network", "neurons", "train_" + loss,
                "test_" + loss));
        if (classification) {
            head.addAll(List.of("train_acc", "test_acc"));
        }
        if (ref) {
            head.addAll(List.of("sup_to_ref", "rms_to_ref"));
        }
        Table t = new Table(head.toArray(new String[0]));
        EnsembleTraining.Closeness c = r.closeness();
        int[] ids = spec.trained();
        for (int j = 0; j < ids.length; j++) {
            add(t, "member " + ids[j], spec.neurons(), r.report().members().get(j), ref ? c.members().get(j) : null,
                    classification, ref);
        }
        add(t, "merged", ids.length * spec.neurons(), r.report().merged(), ref ? c.merged() : null, classification,
                ref);
        if (r.pruned() != null) {
            add(t, "merged, pruned", r.pruned().neurons(), r.pruned().metrics(), ref ? c.pruned() : null,
                    classification, ref);
        }
        if (r.reference() != null) {
            add(t, "reference", r.reference().neurons(), r.reference().metrics(), null, classification, ref);
        }
        return t;
    }

    private static void add(Table t, String name, int neurons, Metrics m, ReferenceDistance d, boolean cls,
            boolean ref) {
        java.util.List<Object> cells = new java.util.ArrayList<>(List.of(name, neurons, m.trainLoss(), m.testLoss()));
        if (cls) {
            cells.add(m.trainAcc());
            cells.add(m.testAcc());
        }
        if (ref) {
            cells.add(d == null ? null : d.sup());
            cells.add(d == null ? null : d.rms());
        }
        t.row(cells.toArray());
    }
}
