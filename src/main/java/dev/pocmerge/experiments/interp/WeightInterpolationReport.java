package dev.pocmerge.experiments.interp;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.Json;
import dev.pocmerge.meanfield.Metrics;
import dev.pocmerge.report.Plots;
import dev.pocmerge.report.Table;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Files of a weight-interpolation run: interpolation.csv, interpolation.png, results.json, README.md. */
public final class WeightInterpolationReport {
    private WeightInterpolationReport() {}

    public static JsonObject write(Path dir, WeightInterpolation.Result r, String command, String device) {
        AtomicFiles.writeString(dir.resolve("interpolation.csv"), csv(r).csv());
        plot(dir.resolve("interpolation.png"), r);
        JsonObject json = json(r, device, dir);
        Json.writeAtomic(dir.resolve("results.json"), json);
        AtomicFiles.writeString(dir.resolve("README.md"), readme(r, command, device));
        return json;
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    static Table csv(WeightInterpolation.Result r) {
        Table t = new Table("regime", "matching", "alpha", "test_loss", "test_acc", "train_loss");
        for (WeightInterpolation.RegimeResult g : r.regimes()) {
            for (WeightInterpolation.Curve c : g.curves()) {
                for (int k = 0; k < r.settings().alphas(); k++) {
                    t.row(g.regime().name(), c.matching().name().toLowerCase(Locale.ROOT), f(r.settings().alpha(k)),
                            f(c.testLoss()[k]), f(c.testAcc()[k]), f(c.trainLoss()[k]));
                }
            }
        }
        return t;
    }

    private static void plot(Path file, WeightInterpolation.Result r) {
        WeightInterpolation.Settings s = r.settings();
        double[] alpha = new double[s.alphas()];
        for (int k = 0; k < alpha.length; k++) {
            alpha[k] = s.alpha(k);
        }
        double[] ends = {0, 1};
        List<Plots.Panel> panels = new ArrayList<>();
        for (WeightInterpolation.RegimeResult g : r.regimes()) {
            for (boolean acc : new boolean[] {false, true}) {
                List<Plots.Line> lines = new ArrayList<>();
                for (WeightInterpolation.Curve c : g.curves()) {
                    lines.add(new Plots.Line(c.matching().label, alpha, acc ? c.testAcc() : c.testLoss()));
                }
                double m = acc ? g.merged().testAcc() : g.merged().testLoss();
                lines.add(new Plots.Line("PoC merge", ends, new double[] {m, m}));
                panels.add(new Plots.Panel(g.regime().name() + " (λ=" + g.regime().lambda() + ", λ′="
                        + g.regime().lambdaPrime() + "): test " + (acc ? "accuracy" : "logistic loss"), lines));
            }
        }
        Plots.panels(file, "Weight interpolation θ(α) = (1−α)θ₁ + αθ₂ vs PoC merge, " + s.task().id() + ", N="
                + s.neurons() + ", mean over " + s.pairs() + " pairs", "α", "test loss / accuracy", panels, 2, "0.0",
                org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
    }

    static JsonObject json(WeightInterpolation.Result r, String device, Path dir) {
        WeightInterpolation.Settings s = r.settings();
        JsonObject o = new JsonObject();
        o.addProperty("device", device);
        o.addProperty("task", s.task().id());
        o.addProperty("N", s.neurons());
        o.addProperty("pairs", s.pairs());
        o.addProperty("alphas", s.alphas());
        o.addProperty("seed", s.seed());
        o.addProperty("seconds", r.seconds());
        JsonArray regimes = new JsonArray();
        for (WeightInterpolation.RegimeResult g : r.regimes()) {
            JsonObject go = new JsonObject();
            go.addProperty("name", g.regime().name());
            go.addProperty("eta", g.regime().eta());
            go.addProperty("lambda", g.regime().lambda());
            go.addProperty("lambda_prime", g.regime().lambdaPrime());
            go.addProperty("steps", g.regime().steps());
            go.add("endpoints", metrics(g.endpoints()));
            go.add("poc_merge", metrics(g.merged()));
            int mid = (s.alphas() - 1) / 2;
            JsonObject cs = new JsonObject();
            for (WeightInterpolation.Curve c : g.curves()) {
                JsonObject co = new JsonObject();
                co.addProperty("mean_sq_distance_per_neuron", c.meanSquaredDistance());
                co.addProperty("alpha_mid", s.alpha(mid));
                co.addProperty("test_loss_mid", c.testLoss()[mid]);
                co.addProperty("test_acc_mid", c.testAcc()[mid]);
                co.addProperty("test_loss_max", max(c.testLoss()));
                cs.add(c.matching().name().toLowerCase(Locale.ROOT), co);
            }
            go.add("interpolation", cs);
            regimes.add(go);
        }
        o.add("regimes", regimes);
        o.addProperty("out", dir.toString());
        return o;
    }

    private static JsonObject metrics(Metrics m) {
        JsonObject o = new JsonObject();
        o.addProperty("train_loss", m.trainLoss());
        o.addProperty("test_loss", m.testLoss());
        o.addProperty("train_acc", m.trainAcc());
        o.addProperty("test_acc", m.testAcc());
        return o;
    }

    static double max(double[] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** The markdown summary: per regime, endpoints, PoC merge and each matching at α = 1/2 and at its worst α. */
    public static Table summary(WeightInterpolation.Result r) {
        Table t = new Table("regime", "network", "test loss", "test acc", "‖x₁ᵢ − x₂ᵢ‖² per neuron");
        int mid = (r.settings().alphas() - 1) / 2;
        for (WeightInterpolation.RegimeResult g : r.regimes()) {
            t.row(g.regime().name(), "endpoints θ₁, θ₂ (mean)", f4(g.endpoints().testLoss()),
                    pct(g.endpoints().testAcc()), "");
            t.row(g.regime().name(), "PoC merge (2N neurons)", f4(g.merged().testLoss()), pct(g.merged().testAcc()),
                    "");
            for (WeightInterpolation.Curve c : g.curves()) {
                t.row(g.regime().name(), "θ(1/2), " + c.matching().label, f4(c.testLoss()[mid]),
                        pct(c.testAcc()[mid]), f4(c.meanSquaredDistance()));
            }
        }
        return t;
    }

    static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }

    static String readme(WeightInterpolation.Result r, String command, String device) {
        return WeightInterpolationReadme.text(r, command, device);
    }
}
