package dev.pocmerge.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.RunDirs;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import dev.pocmerge.meanfield.Batch;
import dev.pocmerge.meanfield.Dynamics;
import dev.pocmerge.meanfield.EnsembleSpec;
import dev.pocmerge.meanfield.EnsembleTraining;
import dev.pocmerge.meanfield.Evaluation;
import dev.pocmerge.meanfield.Loss;
import dev.pocmerge.meanfield.MfldConfig;
import dev.pocmerge.meanfield.MfldTrainer;
import dev.pocmerge.meanfield.Neuron;
import dev.pocmerge.meanfield.Particles;
import dev.pocmerge.meanfield.ParticlesFile;
import dev.pocmerge.report.ResultsJson;
import dev.pocmerge.scaleout.MemberSelection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code merge --particles DIR...}: combines the mean-field members saved by {@code ensemble} runs
 * ({@code DIR/particles.safetensors}) into one ensemble, rebuilds the task's data as those runs did, and scores
 * the members, the PoC-merged network and its random pruning with the code {@code ensemble} uses; the report
 * has {@code ensemble}'s shape.
 */
final class MergeParticles {
    /** Metadata that must agree between every two files of one ensemble (device and members may differ). */
    static final List<String> SAME = List.of("format_version", "kind", "task", "data_sha256", "n_train", "n_test",
            "neuron", "R", "loss", "M", "N", "D", "seed", "eta", "lambda", "lambda_prime", "steps", "steps_done",
            "dynamics", "gamma", "batch_size", "streams");

    private MergeParticles() {}

    /** One run folder's file. */
    record Input(Path dir, ParticlesFile.Contents contents) {}

    static int run(List<Path> dirs, Integer prune, Path csv, CommonOptions common) {
        long t0 = System.nanoTime();
        List<Input> inputs = new ArrayList<>();
        for (Path d : dirs) {
            Path f = d.resolve(ParticlesFile.FILE);
            if (!Files.isRegularFile(f)) {
                throw new PocmergeException("merge --particles: " + d + " holds no " + ParticlesFile.FILE
                        + " (not an ensemble run folder)");
            }
            inputs.add(new Input(d, ParticlesFile.read(f)));
        }
        Map<String, String> meta = inputs.get(0).contents().metadata();
        TreeMap<Integer, Integer> owner = checkOneEnsemble(inputs);
        if (!"members".equals(meta.get("kind"))) {
            throw new PocmergeException("merge --particles: " + inputs.get(0).dir() + " holds a " + meta.get("kind")
                    + " file, not ensemble members");
        }
        Dataset ds = data(meta, csv, inputs.get(0).dir());
        EnsembleSpec spec = spec(meta, ds, owner.keySet().stream().mapToInt(Integer::intValue).toArray());
        int n = spec.neurons();
        int dim = ds.d() + 2;
        long mergedNeurons = (long) owner.size() * n;
        int pruneTo = prune != null ? prune : n;
        if (pruneTo <= 0 || pruneTo > mergedNeurons) {
            throw new PocmergeException("--prune: must be in 1.." + mergedNeurons + " (the merged net's neurons), got "
                    + pruneTo);
        }
        float[] x = stack(inputs, owner, n * dim);
        Path out = RunDirs.path("merge", common.folder.out);
        refuseOverlaps(out, dirs);
        Device device = Devices.resolve(common.device);
        String where = Devices.describe(device);
        out = RunDirs.open("merge", out, common.folder.overwrite);
        EnsembleTraining.Options options = new EnsembleTraining.Options(0, pruneTo);
        int stepsDone = Integer.parseInt(meta.get("steps_done"));
        try (NDManager manager = EnsembleTraining.manager(device)) {
            DataType dtype = DataType.FLOAT32;
            Batch train = Batch.of(manager, ds.zTrain(), ds.yTrain(), ds.d(), dtype);
            Batch test = Batch.of(manager, ds.zTest(), ds.yTest(), ds.d(), dtype);
            NDArray xa = Tensors.of(manager, x, new Shape(owner.size(), n, dim), dtype);
            try (Particles p = Particles.of(manager, xa, spec.trained())) {
                Evaluation.Report report = Evaluation.evaluate(spec.neuron(), p.x(), train, test, ds.yTrain(),
                        ds.yTest(), ds.isClassification());
                Evaluation.Pruned pruned = Evaluation.pruned(spec.neuron(), p.x(), pruneTo, spec.seed(), train, test,
                        ds.yTrain(), ds.yTest(), ds.isClassification());
                EnsembleTraining.Result r = new EnsembleTraining.Result(report,
                        new MfldTrainer.Outcome(stepsDone, 0, 0.0), p, train, test, pruned, null, null);
                Map<String, String> merged = new LinkedHashMap<>(meta);
                merged.put("members", MemberSelection.format(spec.trained()));
                merged.put("device", where);
                ParticlesFile.writeMembers(out.resolve(ParticlesFile.FILE), p, merged);
                JsonObject o = ResultsJson.ensemble(spec, ds, where, r, out, options);
                o.remove("seconds");
                JsonArray sources = new JsonArray();
                for (Input in : inputs) {
                    JsonObject s = new JsonObject();
                    s.addProperty("dir", in.dir().toString());
                    s.addProperty("members", MemberSelection.format(in.contents().members()));
                    sources.add(s);
                }
                o.add("sources", sources);
                o.addProperty("seconds", (System.nanoTime() - t0) / 1e9);
                Json.writeAtomic(out.resolve("results.json"), o);
                if (common.json) {
                    System.out.println(Json.COMPACT.toJson(o));
                } else {
                    System.out.print(ResultsJson.table(spec, r, ds.isClassification()).text());
                    System.out.printf("merged members %s of M=%d from %d folder%s; results in %s%n",
                            MemberSelection.format(spec.trained()), spec.members(), inputs.size(),
                            inputs.size() == 1 ? "" : "s", out.resolve("results.json"));
                }
            }
        }
        return 0;
    }

    /** Global index → which input holds it; refuses two folders that disagree or share a member. */
    static TreeMap<Integer, Integer> checkOneEnsemble(List<Input> inputs) {
        TreeMap<Integer, Integer> owner = new TreeMap<>();
        Input first = inputs.get(0);
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            Map<String, String> a = first.contents().metadata();
            Map<String, String> b = in.contents().metadata();
            for (String k : SAME) {
                String va = a.get(k);
                String vb = b.get(k);
                if (va == null ? vb != null : !va.equals(vb)) {
                    throw new PocmergeException("merge: " + first.dir() + " and " + in.dir() + " come from runs with a"
                            + " different " + k + " (" + va + " vs " + vb + "); they are not members of one ensemble");
                }
            }
            for (int id : in.contents().members()) {
                Integer prev = owner.putIfAbsent(id, i);
                if (prev != null) {
                    throw new PocmergeException("merge: " + inputs.get(prev).dir() + " and " + in.dir()
                            + " both hold member " + id + "; each member must come from one folder");
                }
            }
        }
        return owner;
    }

    /** The split the runs trained on, rebuilt from the task name and seed (or {@code --data}) and hash-checked. */
    static Dataset data(Map<String, String> meta, Path csv, Path dir) {
        String task = meta.get("task");
        long seed = Long.parseLong(meta.get("seed"));
        Dataset ds;
        if (csv != null) {
            ds = Task.CIRCLES.data(dev.pocmerge.core.InputFiles.regularFile(csv, "--data"), seed);
        } else {
            Task t = null;
            for (Task k : Task.values()) {
                if (k.id().equals(task)) {
                    t = k;
                }
            }
            if (t == null) {
                throw new PocmergeException("merge --particles: " + dir + " was trained on the CSV '" + task
                        + "'; pass it with --data FILE.csv");
            }
            ds = t.generate(seed);
        }
        String hash = ParticlesFile.fingerprint(ds);
        if (!hash.equals(meta.get("data_sha256"))) {
            throw new PocmergeException("merge --particles: the data rebuilt for " + dir + " (" + ds.name() + ", seed "
                    + seed + ") is not the split it was trained on (SHA-256 " + hash + " vs " + meta.get("data_sha256")
                    + ")");
        }
        return ds;
    }

    /** The ensemble the files describe, training exactly {@code ids}. */
    static EnsembleSpec spec(Map<String, String> m, Dataset ds, int[] ids) {
        Neuron neuron = switch (m.get("neuron")) {
            case "paper" -> Neuron.paper(Double.parseDouble(m.get("R")));
            case "classic" -> Neuron.classic();
            default -> throw new PocmergeException("merge --particles: unknown neuron '" + m.get("neuron") + "'");
        };
        Loss loss = Loss.valueOf(m.get("loss").toUpperCase(Locale.ROOT));
        MfldConfig c = new MfldConfig(Double.parseDouble(m.get("eta")), Double.parseDouble(m.get("lambda")),
                Double.parseDouble(m.get("lambda_prime")), Integer.parseInt(m.get("steps")),
                Dynamics.valueOf(m.get("dynamics").toUpperCase(Locale.ROOT)), Double.parseDouble(m.get("gamma")),
                Integer.parseInt(m.get("batch_size")));
        return new EnsembleSpec(Integer.parseInt(m.get("M")), Integer.parseInt(m.get("N")), neuron, loss, c,
                Long.parseLong(m.get("seed")), ids);
    }

    /** (M', N, D) row-major, members in ascending global index. */
    private static float[] stack(List<Input> inputs, TreeMap<Integer, Integer> owner, int per) {
        float[] x = new float[Math.multiplyExact(owner.size(), per)];
        int row = 0;
        for (Map.Entry<Integer, Integer> e : owner.entrySet()) {
            ParticlesFile.Contents c = inputs.get(e.getValue()).contents();
            int j = java.util.Arrays.binarySearch(c.members(), e.getKey());
            System.arraycopy(c.x(), j * per, x, row * per, per);
            row++;
        }
        return x;
    }

    private static void refuseOverlaps(Path out, List<Path> dirs) {
        Path o = out.toAbsolutePath().normalize();
        for (Path in : dirs) {
            Path i = in.toAbsolutePath().normalize();
            if (i.startsWith(o) || o.startsWith(i)) {
                throw new PocmergeException("--out " + out + " overlaps the input " + in + "; choose a separate folder");
            }
        }
    }
}
