package dev.pocmerge.experiments.dynamics;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.Json;
import dev.pocmerge.data.Task;
import dev.pocmerge.report.Plots;
import dev.pocmerge.report.Table;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Files of a dynamics comparison: curves.csv, dynamics.png, results.json, README.md. */
public final class DynamicsReport {
    private DynamicsReport() {}

    public static JsonObject write(Path dir, DynamicsComparison.Result r, String command, String device) {
        AtomicFiles.writeString(dir.resolve("curves.csv"), curves(r).csv());
        plot(dir.resolve("dynamics.png"), r);
        JsonObject json = json(r, device, dir);
        Json.writeAtomic(dir.resolve("results.json"), json);
        AtomicFiles.writeString(dir.resolve("README.md"), DynamicsReadme.text(r, command, device));
        return json;
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    static Table curves(DynamicsComparison.Result r) {
        Table t = new Table("task", "dynamics", "gamma", "step", "objective", "test_error");
        for (DynamicsComparison.Curve c : r.curves()) {
            for (int k = 0; k < c.steps().length; k++) {
                t.row(c.task().id(), Double.isNaN(c.gamma()) ? "overdamped" : "underdamped",
                        Double.isNaN(c.gamma()) ? "" : f(c.gamma()), c.steps()[k], f(c.objective()[k]),
                        f(c.testError()[k]));
            }
        }
        return t;
    }

    /** The overdamped run of {@code task}. */
    static DynamicsComparison.Curve overdamped(DynamicsComparison.Result r, Task task) {
        return r.curves().stream().filter(c -> c.task() == task && Double.isNaN(c.gamma())).findFirst()
                .orElseThrow();
    }

    /** First recorded step whose objective is within 1 % of the overdamped run's final value, or -1. */
    static int reach(DynamicsComparison.Curve c, double target) {
        double tol = 0.01 * Math.abs(target);
        for (int k = 0; k < c.steps().length; k++) {
            if (c.objective()[k] <= target + tol) {
                return c.steps()[k];
            }
        }
        return -1;
    }

    /** Per task and dynamics: final objective and test error, and when the overdamped final objective is met. */
    public static Table summary(DynamicsComparison.Result r) {
        Table t = new Table("task", "dynamics", "final objective", "final test error",
                "min objective", "steps to overdamped's final F (±1 %)");
        for (DynamicsComparison.Curve c : r.curves()) {
            double target = last(overdamped(r, c.task()).objective());
            int k = reach(c, target);
            t.row(c.task().id(), c.label(), String.format(Locale.ROOT, "%.4f", last(c.objective())),
                    error(c.task(), last(c.testError())), String.format(Locale.ROOT, "%.4f", min(c.objective())),
                    k < 0 ? "not within T" : String.valueOf(k));
        }
        return t;
    }

    static String error(Task task, double e) {
        return task == Task.CIRCLES ? String.format(Locale.ROOT, "%.1f %%", 100 * e)
                : String.format(Locale.ROOT, "%.4f", e);
    }

    static double last(double[] a) {
        return a[a.length - 1];
    }

    static double min(double[] a) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : a) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static void plot(Path file, DynamicsComparison.Result r) {
        List<Plots.Panel> panels = new ArrayList<>();
        for (DynamicsComparison.TaskRun t : r.settings().tasks()) {
            for (boolean err : new boolean[] {false, true}) {
                List<Plots.Line> lines = new ArrayList<>();
                for (DynamicsComparison.Curve c : r.curves()) {
                    if (c.task() != t.task()) {
                        continue;
                    }
                    double[] x = new double[c.steps().length];
                    for (int k = 0; k < x.length; k++) {
                        x[k] = c.steps()[k];
                    }
                    lines.add(new Plots.Line(c.label(), x, err ? c.testError() : c.objective()));
                }
                panels.add(new Plots.Panel(t.task().id() + " (η=" + t.task().eta + ", λ=" + t.task().lambda + "): "
                        + (err ? (t.task() == Task.CIRCLES ? "test misclassification" : "test MSE")
                                : "objective F (data loss + λ′‖x‖²)"), lines));
            }
        }
        Plots.panels(file, "Overdamped vs underdamped MFLD, " + r.settings().members() + " nets × "
                + r.settings().neurons() + " neurons (mean over nets)", "step", "", panels, 2, "0",
                org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    }

    static JsonObject json(DynamicsComparison.Result r, String device, Path dir) {
        JsonObject o = new JsonObject();
        o.addProperty("device", device);
        o.addProperty("M", r.settings().members());
        o.addProperty("N", r.settings().neurons());
        o.addProperty("seed", r.settings().seed());
        o.addProperty("seconds", r.seconds());
        JsonArray runs = new JsonArray();
        for (DynamicsComparison.Curve c : r.curves()) {
            JsonObject co = new JsonObject();
            co.addProperty("task", c.task().id());
            co.addProperty("dynamics", Double.isNaN(c.gamma()) ? "overdamped" : "underdamped");
            if (!Double.isNaN(c.gamma())) {
                co.addProperty("gamma", c.gamma());
            }
            co.addProperty("eta", c.task().eta);
            co.addProperty("lambda", c.task().lambda);
            co.addProperty("steps", c.steps()[c.steps().length - 1]);
            co.addProperty("final_objective", last(c.objective()));
            co.addProperty("final_test_error", last(c.testError()));
            co.addProperty("min_objective", min(c.objective()));
            int k = reach(c, last(overdamped(r, c.task()).objective()));
            if (k >= 0) {
                co.addProperty("steps_to_overdamped_final_objective", k);
            }
            runs.add(co);
        }
        o.add("runs", runs);
        o.addProperty("out", dir.toString());
        return o;
    }
}
