package dev.pocmerge.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.experiments.symmetry.SymmetricMfld;
import dev.pocmerge.experiments.symmetry.SymmetryReport;
import dev.pocmerge.experiments.symmetry.SymmetryStudy;
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

/** {@code pocmerge symmetries}: MFLD with a C₂ symmetry, plain / DA / FA / EA / projected noise (the poster). */
@Command(name = "symmetries", mixinStandardHelpOptions = true,
        description = "Teacher-student MFLD on R² with G = C₂ (coordinate swap): plain, data augmentation, feature "
                + "averaging, equivariant architecture and projected noise, from invariant and non-invariant starts.")
public final class SymmetriesCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Option(names = "--n-list", split = ",", description = "particle counts N (default 100,1000)")
    List<Integer> nList;

    @Option(names = "--steps", description = "MFLD steps T (default 400)")
    Integer steps;

    @Option(names = "--dtype", defaultValue = "float32", description = "float32|float64 (default: ${DEFAULT-VALUE})")
    String dtype;

    @Override
    public Integer call() {
        SymmetryStudy.Settings b = SymmetryStudy.Settings.standard(common.seed);
        DataType dt = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "float32" -> DataType.FLOAT32;
            case "float64" -> DataType.FLOAT64;
            default -> throw new PocmergeException("--dtype: '" + dtype + "' is not one of float32, float64");
        };
        SymmetricMfld.Hyper h = b.hyper();
        if (steps != null) {
            h = new SymmetricMfld.Hyper(h.eta(), h.tau(), h.beta(), steps);
        }
        SymmetryStudy.Settings s = new SymmetryStudy.Settings(nList != null ? nList : b.nList(), b.samples(),
                b.testSamples(), h, Math.max(1, Math.min(b.every(), h.steps())), common.seed, dt);
        Device device = Devices.resolve(common.device);
        Path dir = common.runDir("symmetries");
        RunConfigJson.write(dir, spec, s);
        SymmetryStudy.Result r;
        try (NDManager manager = EnsembleTraining.manager(device);
                ProgressBar bar = Progress.bar("symmetries", s.runs())) {
            RunMetrics metrics = new RunMetrics(dir, bar, "runs", s.runs());
            r = SymmetryStudy.run(manager, s, metrics);
            metrics.finish();
        }
        JsonObject out = SymmetryReport.write(dir, r, CommandLines.regenerate(spec),
                CommandLines.machine(Devices.describe(device)));
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(out));
        } else {
            System.out.print(SymmetryReport.summary(r).text());
            System.out.printf(Locale.ROOT, "%.1f s; files in %s%n", r.seconds(), dir);
        }
        return 0;
    }
}
