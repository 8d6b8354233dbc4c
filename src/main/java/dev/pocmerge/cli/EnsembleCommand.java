package dev.pocmerge.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.RunDirs;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.meanfield.EnsembleSpec;
import dev.pocmerge.meanfield.EnsembleTraining;
import dev.pocmerge.meanfield.ParticlesFile;
import dev.pocmerge.meanfield.Reference;
import dev.pocmerge.report.Progress;
import dev.pocmerge.report.ResultsJson;
import dev.pocmerge.scaleout.MemberSelection;
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

    @Option(names = "--members", paramLabel = "LIST",
            description = "train only these members of the M (0-based global indices: 3, 0-3, 0,2,5); default all")
    String memberList;

    @Option(names = "--prune", description = "also score the merged net randomly pruned to this many of its neurons "
            + "(default: N)")
    Integer prune;

    @Option(names = "--reference", paramLabel = "N_INF", description = "train a reference net of N_INF neurons "
            + "alongside and report every net's sup and RMS distance to it; 0 skips (default: 10000, 0 for --data)")
    Integer reference;

    @Override
    public Integer call() {
        Dataset ds = mfld.data(data, common.seed);
        EnsembleSpec spec = mfld.spec(ds, members, neurons, common.seed);
        if (memberList != null) {
            spec = spec.withTrained(MemberSelection.parse(memberList, members));
        }
        long mergedNeurons = (long) spec.trained().length * neurons;
        int pruneTo = prune != null ? prune : neurons;
        if (pruneTo <= 0 || pruneTo > mergedNeurons) {
            throw new PocmergeException("--prune: must be in 1.." + mergedNeurons + " (the merged net's neurons), got "
                    + pruneTo);
        }
        int nInf = reference != null ? reference : data == null ? Reference.DEFAULT_NEURONS : 0;
        if (nInf < 0) {
            throw new PocmergeException("--reference: must be ≥ 0 (0 skips the reference), got " + nInf);
        }
        if (nInf > 0) {
            Reference.check(nInf, ds.d() + 2); // before the run folder and the progress bar exist
        }
        EnsembleTraining.Options options = new EnsembleTraining.Options(nInf, pruneTo);
        Device device = Devices.resolve(common.device);
        MfldSizes.check(device, spec, ds, nInf);
        String where = Devices.describe(device);
        Path dir = common.runDir("ensemble");
        Json.writeAtomic(dir.resolve("config.json"), ResultsJson.config(spec, ds, where, options));
        if (!common.json) {
            System.err.println("pocmerge ensemble: " + ds.name() + " on " + where + ", M=" + members
                    + (spec.complete() ? "" : " (members " + MemberSelection.format(spec.trained()) + ")") + " N="
                    + neurons + (nInf > 0 ? ", reference N∞=" + nInf : "") + ", " + spec.mfld().steps() + " steps → "
                    + dir);
        }
        try (NDManager manager = EnsembleTraining.manager(device)) {
            EnsembleTraining.Result trained;
            // The bar is closed once, before the table: ProgressBar.close() is not idempotent, and a second
            // close redraws the bar after the table on a terminal.
            EnsembleMetrics metrics = new EnsembleMetrics(dir, spec.mfld().steps());
            try (ProgressBar bar = Progress.bar("mfld", EnsembleTraining.totalSteps(spec, options))) {
                trained = EnsembleTraining.run(manager, ds, spec, options, k -> {
                    bar.stepTo(k);
                    metrics.accept(k);
                });
            }
            try (EnsembleTraining.Result r = trained) {
                ParticlesFile.writeMembers(dir.resolve(ParticlesFile.FILE), r.particles(),
                        ParticlesFile.metadata(spec, ds, where, r.outcome().stepsDone()));
                if (r.reference() != null) {
                    ParticlesFile.writeReference(dir.resolve(ParticlesFile.REFERENCE_FILE), r.reference(), spec, ds,
                            where);
                }
                JsonObject out = ResultsJson.ensemble(spec, ds, where, r, dir, options);
                Json.writeAtomic(dir.resolve("results.json"), out);
                metrics.finish(r, spec.trained());
                RunDirs.keep(dir); // a diverged run's last finite step is its result
                if (common.json) {
                    System.out.println(Json.COMPACT.toJson(out));
                } else {
                    System.out.print(ResultsJson.table(spec, r, ds.isClassification()).text());
                    System.out.printf("%d steps in %.2f s (%.1f steps/s)%s; results in %s%n", r.outcome().stepsDone(),
                            r.outcome().seconds(), r.outcome().stepsDone() / Math.max(1e-9, r.outcome().seconds()),
                            r.reference() == null ? "" : String.format("; reference (%d neurons) %.2f s",
                                    r.reference().neurons(), r.reference().outcome().seconds()),
                            dir.resolve("results.json"));
                }
                if (r.outcome().diverged()) {
                    throw new PocmergeException("diverged at step " + r.outcome().divergedAt()
                            + " (non-finite particles; try a smaller --eta); " + dir.resolve("results.json")
                            + " holds step " + r.outcome().stepsDone());
                }
                if (r.reference() != null && r.reference().outcome().diverged()) {
                    throw new PocmergeException("the reference net (--reference " + nInf + ") diverged at step "
                            + r.reference().outcome().divergedAt() + "; try a smaller --eta, or --reference 0");
                }
            }
        }
        return 0;
    }
}
