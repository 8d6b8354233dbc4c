package dev.pocmerge.experiments.plan;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.Json;
import dev.pocmerge.report.Plots;
import dev.pocmerge.report.Table;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Files of a {@code plan-ensemble} run: plan.csv, cells.csv, fit.png, budget.png, results.json, README.md. */
public final class PlanEnsembleReport {
    private PlanEnsembleReport() {}

    public static JsonObject write(Path dir, PlanEnsemble.Result r, String command) {
        AtomicFiles.writeString(dir.resolve("plan.csv"), planTable(r, Integer.MAX_VALUE).csv());
        AtomicFiles.writeString(dir.resolve("cells.csv"), cells(r).csv());
        fitPlot(dir.resolve("fit.png"), r);
        budgetPlot(dir.resolve("budget.png"), r);
        JsonObject json = json(r, dir);
        Json.writeAtomic(dir.resolve("results.json"), json);
        AtomicFiles.writeString(dir.resolve("README.md"), PlanEnsembleReadme.text(r, command));
        return json;
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /** The plan: every M dividing K (the first {@code limit} rows around the best when there are many). */
    public static Table planTable(PlanEnsemble.Result r, int limit) {
        Table t = new Table("M", "N", "predicted_sup_norm", "in_measured_grid");
        List<EnsemblePlanner.Option> opts = r.plan().options();
        int best = opts.indexOf(r.plan().best());
        int lo = Math.max(0, Math.min(best - limit / 2, opts.size() - limit));
        int hi = (int) Math.min(opts.size(), (long) lo + limit);
        for (EnsemblePlanner.Option o : opts.subList(lo, hi)) {
            t.row(o.m(), o.n(), f(o.predicted()), o.inGrid() ? "yes" : "no");
        }
        return t;
    }

    static Table cells(PlanEnsemble.Result r) {
        Set<SupnormGrid.Cell> held = new HashSet<>(r.split().heldOut());
        List<String> head = new ArrayList<>(List.of("N", "M", "K", "measured"));
        for (BoundShape s : BoundShape.values()) {
            head.add("predicted_" + s.id);
        }
        head.add("held_out");
        Table t = new Table(head.toArray(new String[0]));
        for (SupnormGrid.Cell c : r.grid().cells()) {
            List<Object> row = new ArrayList<>(List.of(c.n(), c.m(), c.k(), f(c.supNorm())));
            for (BoundShape s : BoundShape.values()) {
                row.add(f(r.validations().get(s).fit().predict(c.m(), c.n())));
            }
            row.add(held.contains(c) ? 1 : 0);
            t.row(row.toArray());
        }
        return t;
    }

    private static void fitPlot(Path file, PlanEnsemble.Result r) {
        List<Plots.Series> series = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (BoundShape s : BoundShape.values()) {
            BoundFit fit = r.validations().get(s).fit();
            for (boolean heldOut : new boolean[] {false, true}) {
                List<SupnormGrid.Cell> cs = heldOut ? r.split().heldOut() : r.split().fit();
                if (cs.isEmpty()) {
                    continue;
                }
                double[] x = new double[cs.size()];
                double[] y = new double[cs.size()];
                for (int i = 0; i < cs.size(); i++) {
                    x[i] = cs.get(i).supNorm();
                    y[i] = fit.predict(cs.get(i).m(), cs.get(i).n());
                    lo = Math.min(lo, Math.min(x[i], y[i]));
                    hi = Math.max(hi, Math.max(x[i], y[i]));
                }
                series.add(new Plots.Series(s.id + " shape, " + (heldOut ? "held-out cells" : "fitted cells"), x, y,
                        true));
            }
        }
        series.add(new Plots.Series("predicted = measured", new double[] {lo, hi}, new double[] {lo, hi}, false));
        Plots.xy(file, "plan-ensemble: predicted vs measured sup-norm (" + r.grid().file().getFileName() + ")",
                "measured sup-norm", "predicted sup-norm", series, true, true);
    }

    private static void budgetPlot(Path file, PlanEnsemble.Result r) {
        long k = r.plan().budget();
        List<Plots.Series> series = new ArrayList<>();
        for (BoundShape s : BoundShape.values()) {
            EnsemblePlanner.Plan p = EnsemblePlanner.plan(r.validations().get(s).fit(), k, r.grid().cells());
            double[] x = p.options().stream().mapToDouble(EnsemblePlanner.Option::m).toArray();
            double[] y = p.options().stream().mapToDouble(EnsemblePlanner.Option::predicted).toArray();
            series.add(new Plots.Series("predicted, " + s.id + " shape", x, y, false));
        }
        List<SupnormGrid.Cell> measured = r.grid().cells().stream().filter(c -> c.k() == k).toList();
        if (!measured.isEmpty()) {
            series.add(new Plots.Series("measured (grid cells with M·N = " + k + ")",
                    measured.stream().mapToDouble(SupnormGrid.Cell::m).toArray(),
                    measured.stream().mapToDouble(SupnormGrid.Cell::supNorm).toArray(), true));
        }
        Plots.xy(file, "predicted sup-norm for a budget of K = " + k + " neurons (M · N = K)",
                "M (members)", "sup-norm to the N∞ net", series, true, true);
    }

    static JsonObject json(PlanEnsemble.Result r, Path dir) {
        JsonObject o = new JsonObject();
        o.addProperty("supnorm", r.grid().file().toString());
        o.addProperty("lambda", r.grid().lambda());
        o.addProperty("budget", r.plan().budget());
        o.addProperty("shape", r.settings().shape().id);
        o.addProperty("holdout", r.settings().holdout());
        o.addProperty("seed", r.settings().seed());
        o.addProperty("cells", r.grid().cells().size());
        o.addProperty("cells_held_out", r.split().heldOut().size());
        JsonObject shapes = new JsonObject();
        for (BoundShape s : BoundShape.values()) {
            PlanEnsemble.Validation v = r.validations().get(s);
            JsonObject so = new JsonObject();
            so.addProperty("formula", s.formula);
            JsonObject c = new JsonObject();
            for (int j = 0; j < s.names.size(); j++) {
                c.addProperty(s.names.get(j), v.fit().constants()[j]);
            }
            so.add("constants", c);
            so.addProperty("fit_rms_rel_error", v.fitError()[0]);
            if (!r.split().heldOut().isEmpty()) {
                so.addProperty("held_out_rms_rel_error", v.heldOutError()[0]);
                so.addProperty("held_out_max_rel_error", v.heldOutError()[1]);
            }
            if (v.extrapolationError() != null) {
                so.addProperty("extrapolation_fit_max_n", r.extrapolationMaxN());
                so.addProperty("extrapolation_rms_rel_error", v.extrapolationError()[0]);
                so.addProperty("extrapolation_max_rel_error", v.extrapolationError()[1]);
            }
            so.addProperty("shared_budgets", v.decisions().size());
            so.addProperty("shared_budgets_best_m_right", v.decisionsRight());
            so.addProperty("shared_budgets_mean_regret", v.meanRegret());
            shapes.add(s.id, so);
        }
        o.add("shapes", shapes);
        JsonArray plan = new JsonArray();
        for (EnsemblePlanner.Option p : r.plan().options()) {
            JsonObject po = new JsonObject();
            po.addProperty("M", p.m());
            po.addProperty("N", p.n());
            po.addProperty("predicted", p.predicted());
            po.addProperty("in_grid", p.inGrid());
            plan.add(po);
        }
        o.add("plan", plan);
        o.addProperty("best_M", r.plan().best().m());
        o.addProperty("best_N", r.plan().best().n());
        o.addProperty("best_predicted", r.plan().best().predicted());
        o.addProperty("out", dir.toString());
        return o;
    }
}
