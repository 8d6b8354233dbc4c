package dev.pocmerge.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.experiments.interp.WeightInterpolation;
import dev.pocmerge.experiments.interp.WeightInterpolationReport;
import dev.pocmerge.meanfield.EnsembleTraining;
import dev.pocmerge.report.Progress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pocmerge interpolate}: weight interpolation between two trained nets vs their PoC merge (Figure 15). */
@Command(name = "interpolate", mixinStandardHelpOptions = true,
        description = "Weight interpolation (1−α)θ₁ + αθ₂ of trained circles nets (neuron i with i, or matched by "
                + "the Hungarian method) vs their PoC merge, at the paper's settings and a weakly regularised one.")
public final class InterpolateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Option(names = "--N", description = "neurons per network (default 200)")
    Integer neurons;

    @Option(names = "--pairs", description = "independent pairs of networks, averaged (default 4)")
    Integer pairs;

    @Option(names = "--alphas", description = "points of α in [0, 1] (default 21)")
    Integer alphas;

    @Option(names = "--steps", description = "MFLD steps of every regime (default: theirs, 200 and 1000)")
    Integer steps;

    @Override
    public Integer call() {
        WeightInterpolation.Settings b = WeightInterpolation.Settings.standard(common.seed);
        if (steps != null) {
            b = b.withSteps(steps);
        }
        WeightInterpolation.Settings s = new WeightInterpolation.Settings(b.task(),
                neurons != null ? neurons : b.neurons(), pairs != null ? pairs : b.pairs(),
                alphas != null ? alphas : b.alphas(), b.regimes(), common.seed);
        Device device = Devices.resolve(common.device);
        MfldSizes.check(device, 2L * s.pairs(), s.neurons(), s.task().generate(common.seed), "--pairs " + s.pairs()
                + " × 2 × --N " + s.neurons(), "use a smaller --pairs or --N");
        Path dir = common.runDir("interpolate");
        RunConfigJson.write(dir, spec, s);
        WeightInterpolation.Result r;
        try (NDManager manager = EnsembleTraining.manager(device);
                ProgressBar bar = Progress.bar("interpolate", s.totalSteps())) {
            RunMetrics metrics = new RunMetrics(dir, bar, "mfld_steps", s.totalSteps());
            r = WeightInterpolation.run(manager, s, metrics);
            metrics.finish();
        }
        JsonObject out = WeightInterpolationReport.write(dir, r, CommandLines.regenerate(spec),
                CommandLines.machine(Devices.describe(device)));
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(out));
        } else {
            System.out.print(WeightInterpolationReport.summary(r).text());
            System.out.printf(Locale.ROOT, "%.1f s; files in %s%n", r.seconds(), dir);
        }
        return 0;
    }
}
