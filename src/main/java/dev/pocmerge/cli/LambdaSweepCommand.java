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
import dev.pocmerge.experiments.LambdaSweep;
import dev.pocmerge.experiments.LambdaSweepReport;
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

/** {@code pocmerge lambda-sweep}: Appendix B.2, Table 2 and Figure 2 on multi-index regression. */
@Command(name = "lambda-sweep", mixinStandardHelpOptions = true,
        description = "Appendix B.2: merged-net MSE (Table 2) and per-epoch ln MSE (Figure 2) across λ and N.")
public final class LambdaSweepCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "reduced grid: N ∈ {100, 200}, M=8 (all four λ, 5 epochs)")
    boolean quick;

    @Option(names = "--lambdas", split = ",", description = "entropy weights λ (default 0.1,0.01,0.001,0.0001)")
    List<Double> lambdas;

    @Option(names = "--n-list", split = ",", description = "neurons per net (default 300,400,…,800; quick 100,200)")
    List<Integer> nList;

    @Option(names = "--M", description = "networks per cell (default 20; quick 8)")
    Integer members;

    @Option(names = "--epochs", defaultValue = "5", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "0",
            description = "minibatch per net and step; 0 = full batch, one step per epoch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Override
    public Integer call() {
        LambdaSweep.Settings base = quick ? LambdaSweep.Settings.quick(common.seed)
                : LambdaSweep.Settings.paper(common.seed);
        LambdaSweep.Settings s = new LambdaSweep.Settings(lambdas != null ? lambdas : base.lambdas(),
                nList != null ? nList : base.nList(), members != null ? members : base.members(), epochs,
                batchSize, base.eta(), base.lambdaPrime(), base.r(), common.seed);
        Device device = Devices.resolve(common.device);
        Dataset data = Task.MULTIINDEX.generate(s.seed());
        int nTrain = data.nTrain();
        if (batchSize > nTrain) {
            throw new PocmergeException("--batch-size " + batchSize + " is above the " + nTrain + " training rows of"
                    + " multiindex; use at most " + nTrain + " (0 = full batch)");
        }
        int widest = s.nList().stream().mapToInt(Integer::intValue).max().orElse(1);
        MfldSizes.check(device, s.members(), widest, data, "--M " + s.members() + " × --n-list " + widest,
                "use a smaller --M or --n-list");
        Path dir = common.runDir("lambda-sweep");
        RunConfigJson.write(dir, spec, s);
        if (!common.json) {
            System.err.printf(Locale.ROOT, "pocmerge lambda-sweep: multiindex on %s, λ ∈ %s, N ∈ %s, M=%d, %d epochs "
                    + "× %d steps → %s%n", Devices.describe(device), s.lambdas(), s.nList(), s.members(),
                    s.epochs(), s.stepsPerEpoch(nTrain), dir);
        }
        long total = LambdaSweep.totalSteps(s, nTrain);
        LambdaSweep.Result r;
        try (NDManager manager = EnsembleTraining.manager(device);
                ProgressBar bar = Progress.bar("lambda-sweep", total)) {
            RunMetrics metrics = new RunMetrics(dir, bar, "mfld_steps", total);
            r = LambdaSweep.run(manager, data, s, metrics);
            metrics.finish();
        }
        JsonObject out = LambdaSweepReport.write(dir, r, CommandLines.regenerate(spec),
                CommandLines.machine(Devices.describe(device)));
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(out));
        } else {
            System.out.printf(Locale.ROOT, "Table 2 (ours): test MSE of the merged net of %d after %d epochs "
                    + "(%s)%n", s.members(), s.epochs(), r.stepsPerEpoch() == 1 ? "full batch"
                    : r.stepsPerEpoch() + " steps/epoch");
            System.out.print(LambdaSweepReport.table2(r).text());
            System.out.printf(Locale.ROOT, "%.1f s; files in %s%n", r.seconds(), dir);
        }
        return 0;
    }
}
