package dev.pocmerge.cli;

import com.google.gson.JsonObject;
import dev.pocmerge.core.Json;
import dev.pocmerge.experiments.fp.ParticlesVsFp;
import dev.pocmerge.experiments.fp.ParticlesVsFpReport;
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

/** {@code pocmerge particles-fp}: Langevin particles against a Fokker–Planck solution (the seed report's Fig. 13). */
@Command(name = "particles-fp", mixinStandardHelpOptions = true,
        description = "1-D Langevin particles (quadratic and double-well potentials) against a finite-volume "
                + "Fokker–Planck solution from the same initial law: W1 over time for each N, and its 1/√N floor.")
public final class ParticlesFpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--n-list", split = ",", description = "particle counts (default 100,1000,10000)")
    List<Integer> nList;

    @Option(names = "--repeats", description = "independent particle systems per N (default 4)")
    Integer repeats;

    @Option(names = "--seed", defaultValue = "0", description = "base seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    OutOptions output;

    @Option(names = "--json", description = "print one JSON object to stdout instead of the table")
    boolean json;

    @Override
    public Integer call() {
        ParticlesVsFp.Settings b = ParticlesVsFp.Settings.standard(seed);
        ParticlesVsFp.Settings s = new ParticlesVsFp.Settings(b.cases(), nList != null ? nList : b.nList(),
                repeats != null ? repeats : b.repeats(), b.dt(), b.fpDt(), b.domain(), b.cells(), b.every(), seed);
        Path dir = output.runDir("particles-fp");
        RunConfigJson.write(dir, spec, s);
        ParticlesVsFp.Result r;
        try (ProgressBar bar = Progress.bar("particles-fp", s.totalWork())) {
            RunMetrics metrics = new RunMetrics(dir, bar, "snapshots", s.totalWork());
            r = ParticlesVsFp.run(s, metrics);
            metrics.finish();
        }
        JsonObject o = ParticlesVsFpReport.write(dir, r, CommandLines.regenerate(spec));
        if (json) {
            System.out.println(Json.COMPACT.toJson(o));
        } else {
            System.out.println("W1 floor (mean over the last 20 % of the run) vs the sampling floor of N draws:");
            System.out.print(ParticlesVsFpReport.floors(r).text());
            System.out.printf(Locale.ROOT, "%.1f s; files in %s%n", r.seconds(), dir);
        }
        return 0;
    }
}
