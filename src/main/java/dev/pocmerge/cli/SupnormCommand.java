package dev.pocmerge.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.RunDirs;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import dev.pocmerge.experiments.Supnorm;
import dev.pocmerge.experiments.SupnormReport;
import dev.pocmerge.experiments.SupnormTrend;
import dev.pocmerge.meanfield.EnsembleTraining;
import dev.pocmerge.report.Progress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pocmerge supnorm}: Algorithm 3 / Figure 1, sup-norm of merged nets against an N∞ net. */
@Command(name = "supnorm", mixinStandardHelpOptions = true,
        description = "Algorithm 3 (Figure 1): sup-norm between merged M×N nets and an N∞-neuron net over (N, M).")
public final class SupnormCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Option(names = "--task", defaultValue = "circles", description = "circles|multiindex (default: ${DEFAULT-VALUE})")
    String task;

    @Option(names = "--quick", description = "reduced grid: N∞=2000, N ∈ {50,100,200}, M_max=8, 20 resamples")
    boolean quick;

    @Option(names = "--n-inf", description = "neurons of the reference net (default 10000; quick 2000)")
    Integer nInf;

    @Option(names = "--n-list", split = ",", description = "neurons per net (default 50,100,…,500; quick 50,100,200)")
    List<Integer> nList;

    @Option(names = "--m-max", description = "networks trained per N (default 20; quick 8)")
    Integer mMax;

    @Option(names = "--resamples", description = "random M-subsets per (N, M) (default 50; quick 20)")
    Integer resamples;

    @Option(names = "--steps", description = "MFLD steps T (default: the task's, 200 circles, 100 multiindex)")
    Integer steps;

    @Override
    public Integer call() {
        Task t = Task.parse(task);
        Supnorm.Settings base = quick ? Supnorm.Settings.quick(t, common.seed) : Supnorm.Settings.paper(t, common.seed);
        Supnorm.Settings s = new Supnorm.Settings(t, nInf != null ? nInf : base.nInf(),
                nList != null ? nList : base.nList(), mMax != null ? mMax : base.mMax(),
                resamples != null ? resamples : base.resamples(), steps != null ? steps : base.steps(),
                common.seed);
        Device device = Devices.resolve(common.device);
        Dataset ds = t.generate(common.seed);
        int widest = s.nList().stream().mapToInt(Integer::intValue).max().orElse(1);
        MfldSizes.check(device, s.mMax(), widest, ds, "--m-max " + s.mMax() + " × --n-list " + widest,
                "use a smaller --m-max or --n-list");
        MfldSizes.check(device, 1, s.nInf(), ds, "--n-inf " + s.nInf(), "use a smaller --n-inf");
        Path dir = common.runDir("supnorm");
        RunConfigJson.write(dir, spec, s);
        if (!common.json) {
            System.err.printf(Locale.ROOT, "pocmerge supnorm: %s on %s, N∞=%d, N ∈ %s, M_max=%d, %d resamples, "
                    + "T=%d → %s%n", t.id(), Devices.describe(device), s.nInf(), s.nList(), s.mMax(),
                    s.resamples(), s.steps(), dir);
        }
        Supnorm.Result r;
        try (NDManager manager = EnsembleTraining.manager(device);
                ProgressBar bar = Progress.bar("supnorm", s.totalSteps())) {
            RunMetrics metrics = new RunMetrics(dir, bar, "mfld_steps", s.totalSteps());
            r = Supnorm.run(manager, s, metrics);
            metrics.finish();
        }
        JsonObject out = SupnormReport.write(dir, r, CommandLines.regenerate(spec),
                CommandLines.machine(Devices.describe(device)));
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(out));
        } else {
            SupnormTrend tr = SupnormReport.trend(r);
            int last = s.nList().size() - 1;
            System.out.printf(Locale.ROOT, "sup-norm %s (mean over %d resamples):%n", t.id(), s.resamples());
            System.out.print(SupnormReport.selectedText(r));
            System.out.printf(Locale.ROOT, "corners: %.4g at (N=%d, M=1) → %.4g at (N=%d, M=%d), ratio %.2f; "
                    + "slope of ln sup vs ln(MN) %.3f%n", r.mean()[0][0], s.nList().get(0),
                    r.mean()[last][s.mMax() - 1], s.nList().get(last), s.mMax(), tr.cornerRatio(), tr.slopeMN());
            System.out.printf(Locale.ROOT, "%.1f s; files in %s%n", r.seconds(), dir);
        }
        return 0;
    }
}
