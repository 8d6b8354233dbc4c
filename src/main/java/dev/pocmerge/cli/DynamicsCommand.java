package dev.pocmerge.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.experiments.dynamics.DynamicsComparison;
import dev.pocmerge.experiments.dynamics.DynamicsReport;
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

/** {@code pocmerge dynamics}: overdamped vs underdamped MFLD over a γ grid on both tasks (the seed report's Fig. 17). */
@Command(name = "dynamics", mixinStandardHelpOptions = true,
        description = "Objective and test error per step of overdamped MFLD and of underdamped MFLD at each γ, "
                + "same η, λ, initialisation and noise streams, on circles and multi-index.")
public final class DynamicsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Option(names = "--gammas", split = ",", description = "friction values γ (default 0.5,2,8)")
    List<Double> gammas;

    @Option(names = "--M", description = "networks per run (default 4)")
    Integer members;

    @Option(names = "--N", description = "neurons per network (default 100)")
    Integer neurons;

    @Option(names = "--steps-scale", description = "multiply every task's T by this (default 1: T = 200 and 1500)")
    Double scale;

    @Override
    public Integer call() {
        DynamicsComparison.Settings b = DynamicsComparison.Settings.standard(common.seed);
        List<DynamicsComparison.TaskRun> tasks = b.tasks();
        if (scale != null) {
            if (!(scale > 0)) {
                throw new dev.pocmerge.core.PocmergeException("--steps-scale: must be > 0, got " + scale);
            }
            tasks = tasks.stream().map(t -> new DynamicsComparison.TaskRun(t.task(),
                    Math.max(t.every(), (int) Math.round(t.steps() * scale)), t.every())).toList();
        }
        DynamicsComparison.Settings s = new DynamicsComparison.Settings(tasks, gammas != null ? gammas : b.gammas(),
                members != null ? members : b.members(), neurons != null ? neurons : b.neurons(), common.seed);
        Device device = Devices.resolve(common.device);
        for (DynamicsComparison.TaskRun t : s.tasks()) {
            MfldSizes.check(device, s.members(), s.neurons(), t.task().generate(common.seed), "--M " + s.members()
                    + " × --N " + s.neurons() + " (" + t.task().id() + ")", "use a smaller --M or --N");
        }
        Path dir = common.runDir("dynamics");
        RunConfigJson.write(dir, spec, s);
        DynamicsComparison.Result r;
        try (NDManager manager = EnsembleTraining.manager(device);
                ProgressBar bar = Progress.bar("dynamics", s.totalSteps())) {
            RunMetrics metrics = new RunMetrics(dir, bar, "mfld_steps", s.totalSteps());
            r = DynamicsComparison.run(manager, s, metrics);
            metrics.finish();
        }
        JsonObject out = DynamicsReport.write(dir, r, CommandLines.regenerate(spec),
                CommandLines.machine(Devices.describe(device)));
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(out));
        } else {
            System.out.print(DynamicsReport.summary(r).text());
            System.out.printf(Locale.ROOT, "%.1f s; files in %s%n", r.seconds(), dir);
        }
        return 0;
    }
}
