package dev.pocmerge.cli;

import com.google.gson.JsonObject;
import dev.pocmerge.core.Json;
import dev.pocmerge.experiments.plan.BoundShape;
import dev.pocmerge.experiments.plan.EnsemblePlanner;
import dev.pocmerge.experiments.plan.PlanEnsemble;
import dev.pocmerge.experiments.plan.PlanEnsembleReport;
import dev.pocmerge.experiments.plan.SupnormGrid;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pocmerge plan-ensemble}: how many members for a neuron budget, from a measured sup-norm grid. */
@Command(name = "plan-ensemble", mixinStandardHelpOptions = true,
        description = "Fit the bound c₁/K + c₂/sqrt(λMK) + c₃M/(λK) (K = M·N) to a measured sup-norm grid and "
                + "predict the merged net's error for every M dividing the budget K.")
public final class PlanEnsembleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--budget", required = true, description = "total neurons K = M·N")
    long budget;

    @Option(names = "--supnorm", required = true, description = "a supnorm.csv written by `pocmerge supnorm`")
    Path supnorm;

    @Option(names = "--lambda", description = "entropy weight λ of that grid (default: from results.json beside it)")
    Double lambda;

    @Option(names = "--shape", defaultValue = "theorem",
            description = "theorem (c₁/K + c₂/sqrt(λMK) + c₃M/(λK)) or sqrt (c₀ + c₁/sqrt(K) + c₃M/(λK)) "
                    + "(default: ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--holdout", defaultValue = "0.25",
            description = "fraction of grid cells left out of the fit to validate it (default: ${DEFAULT-VALUE})")
    double holdout;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the held-out draw (default: ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    OutOptions output;

    @Option(names = "--json", description = "print one JSON object to stdout instead of the table")
    boolean json;

    @Override
    public Integer call() {
        BoundShape s = BoundShape.parse(shape);
        SupnormGrid grid = SupnormGrid.read(supnorm, lambda);
        PlanEnsemble.Result r = PlanEnsemble.run(grid, new PlanEnsemble.Settings(budget, s, holdout, seed));
        Path dir = output.runDir("plan-ensemble");
        RunConfigJson.write(dir, spec, new PlanEnsemble.Settings(budget, s, holdout, seed));
        JsonObject o = PlanEnsembleReport.write(dir, r, CommandLines.regenerate(spec));
        if (json) {
            System.out.println(Json.COMPACT.toJson(o));
            return 0;
        }
        PlanEnsemble.Validation v = r.chosen();
        System.out.printf(Locale.ROOT, "fit of %s to %d of %d cells of %s (λ=%s):%n", s.formula,
                r.split().fit().size(), grid.cells().size(), supnorm, grid.lambda());
        for (int j = 0; j < s.names.size(); j++) {
            System.out.printf(Locale.ROOT, "  %s = %.4g%n", s.names.get(j), v.fit().constants()[j]);
        }
        if (!r.split().heldOut().isEmpty()) {
            System.out.printf(Locale.ROOT, "relative error: fitted cells RMS %.1f %%, %d held-out cells RMS %.1f %% "
                    + "(max %.1f %%)%n", 100 * v.fitError()[0], r.split().heldOut().size(), 100 * v.heldOutError()[0],
                    100 * v.heldOutError()[1]);
        }
        System.out.printf(Locale.ROOT, "budget K = %d: predicted sup-norm for each M dividing K%n", budget);
        System.out.print(PlanEnsembleReport.planTable(r, 30).text());
        EnsemblePlanner.Option b = r.plan().best();
        System.out.printf(Locale.ROOT, "best: M = %d members of N = %d neurons, predicted sup-norm %.4g%s%n", b.m(),
                b.n(), b.predicted(), b.inGrid() ? "" : " (outside the measured grid: an extrapolation)");
        System.out.printf(Locale.ROOT, "files in %s%n", dir);
        return 0;
    }
}
