package dev.pocmerge.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.RunDirs;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import dev.pocmerge.meanfield.EnsembleSpec;
import dev.pocmerge.meanfield.EnsembleTraining;
import dev.pocmerge.meanfield.Evaluation;
import dev.pocmerge.meanfield.Metrics;
import dev.pocmerge.meanfield.MfldTrainer;
import dev.pocmerge.report.Progress;
import dev.pocmerge.report.ResultsJson;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pocmerge ensemble}: train M mean-field networks with MFLD, merge them, score all. */
@Command(name = "ensemble", mixinStandardHelpOptions = true,
        description = "Train M mean-field networks with MFLD in one batched tensor, PoC-merge them, print scores.")
public final class EnsembleCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    MfldOptions mfld;

    @Option(names = "--data", description = "CSV of numeric features, label in the last column (instead of --task)")
    Path data;

    @Option(names = "--M", defaultValue = "8", description = "number of networks (default: ${DEFAULT-VALUE})")
    int members;

    @Option(names = "--N", defaultValue = "500", description = "neurons per network (default: ${DEFAULT-VALUE})")
    int neurons;

    @Option(names = "--prune", description = "also score the merged net randomly pruned to this many of its M·N neurons")
    Integer prune;

    @Override
    public Integer call() {
        Task task = Task.parse(mfld.task);
        Dataset ds = task.data(data, common.seed);
        EnsembleSpec spec = mfld.spec(ds, members, neurons, common.seed);
        if (prune != null && (prune <= 0 || prune > (long) members * neurons)) {
            throw new PocmergeException("--prune: must be in 1.." + (long) members * neurons + " (M·N), got " + prune);
        }
        Device device = Devices.resolve(common.device);
        Path dir = RunDirs.create("ensemble", common.out);
        Json.writeAtomic(dir.resolve("config.json"), ResultsJson.config(spec, ds, Devices.describe(device)));
        if (!common.json) {
            System.err.println("pocmerge ensemble: " + ds.name() + " on " + Devices.describe(device) + ", M="
                    + members + " N=" + neurons + ", " + spec.mfld().steps() + " steps → " + dir);
        }
        try (NDManager manager = EnsembleTraining.manager(device)) {
            EnsembleTraining.Result trained;
            // The bar is closed once, before the table: ProgressBar.close() is not idempotent, and a second
            // close redraws the bar after the table on a terminal.
            try (ProgressBar bar = Progress.bar("mfld", spec.mfld().steps())) {
                MfldTrainer.Listener progress = (k, p) -> bar.stepTo(k);
                trained = EnsembleTraining.run(manager, ds, spec, progress);
            }
            try (EnsembleTraining.Result r = trained) {
                JsonObject out = ResultsJson.ensemble(spec, ds, Devices.describe(device), r, dir);
                Metrics pruned = null;
                if (prune != null) {
                    pruned = Evaluation.pruned(spec.neuron(), r.particles().x(), prune, common.seed, r.train(),
                            r.test(), ds.yTrain(), ds.yTest(), ds.isClassification());
                    JsonObject po = ResultsJson.metrics(pruned);
                    po.addProperty("neurons", prune);
                    out.add("pruned", po);
                }
                Json.writeAtomic(dir.resolve("results.json"), out);
                if (common.json) {
                    System.out.println(Json.COMPACT.toJson(out));
                } else {
                    System.out.print(ResultsJson.table(r.report(), pruned, prune, ds.isClassification()).text());
                    System.out.printf("%d steps in %.2f s (%.1f steps/s); results in %s%n", r.outcome().stepsDone(),
                            r.outcome().seconds(), r.outcome().stepsDone() / Math.max(1e-9, r.outcome().seconds()),
                            dir.resolve("results.json"));
                }
                if (r.outcome().diverged()) {
                    throw new PocmergeException("diverged at step " + r.outcome().divergedAt()
                            + " (non-finite particles; try a smaller --eta); " + dir.resolve("results.json")
                            + " holds step " + r.outcome().stepsDone());
                }
            }
        }
        return 0;
    }
}
