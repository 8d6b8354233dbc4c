package dev.pocmerge.experiments.fp;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.Json;
import dev.pocmerge.report.Plots;
import dev.pocmerge.report.Table;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.stat.regression.SimpleRegression;

/** Files of a particles-vs-FP run: w1.csv, floors.csv, densities.png, w1-*.png, results.json, README.md. */
public final class ParticlesVsFpReport {
    private ParticlesVsFpReport() {}

    public static JsonObject write(Path dir, ParticlesVsFp.Result r, String command) {
        AtomicFiles.writeString(dir.resolve("w1.csv"), w1Table(r).csv());
        AtomicFiles.writeString(dir.resolve("floors.csv"), floors(r).csv());
        densities(dir.resolve("densities.png"), r);
        for (ParticlesVsFp.CaseResult c : r.cases()) {
            w1Plot(dir.resolve("w1-" + c.c().potential().id + ".png"), r, c);
        }
        JsonObject json = json(r, dir);
        Json.writeAtomic(dir.resolve("results.json"), json);
        AtomicFiles.writeString(dir.resolve("README.md"), ParticlesVsFpReadme.text(r, command));
        return json;
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    static Table w1Table(ParticlesVsFp.Result r) {
        Table t = new Table("potential", "N", "t", "w1_mean", "w1_min", "w1_max");
        for (ParticlesVsFp.CaseResult c : r.cases()) {
            for (int n = 0; n < r.settings().nList().size(); n++) {
                double[] mean = ParticlesVsFp.meanW1(c, n);
                for (int k = 0; k < c.times().length; k++) {
                    double lo = Double.POSITIVE_INFINITY;
                    double hi = 0;
                    for (double[] rep : c.w1()[n]) {
                        lo = Math.min(lo, rep[k]);
                        hi = Math.max(hi, rep[k]);
                    }
                    t.row(c.c().potential().id, r.settings().nList().get(n), f(c.times()[k]), f(mean[k]), f(lo),
                            f(hi));
                }
            }
        }
        return t;
    }

    /** Per potential and N: the measured W1 floor (last 20 % of the run), the predicted one, their ratio. */
    public static Table floors(ParticlesVsFp.Result r) {
        Table t = new Table("potential", "N", "measured_floor", "predicted_floor", "ratio", "floor_x_sqrtN");
        for (ParticlesVsFp.CaseResult c : r.cases()) {
            for (int n = 0; n < r.settings().nList().size(); n++) {
                int nv = r.settings().nList().get(n);
                t.row(c.c().potential().id, nv, f(c.measuredFloor()[n]), f(c.expectedFloor()[n]),
                        String.format(Locale.ROOT, "%.3f", c.measuredFloor()[n] / c.expectedFloor()[n]),
                        String.format(Locale.ROOT, "%.4f", c.measuredFloor()[n] * Math.sqrt(nv)));
            }
        }
        return t;
    }

    /** Least-squares slope of ln floor vs ln N. */
    public static double floorSlope(ParticlesVsFp.Result r, ParticlesVsFp.CaseResult c) {
        SimpleRegression reg = new SimpleRegression();
        for (int n = 0; n < r.settings().nList().size(); n++) {
            reg.addData(Math.log(r.settings().nList().get(n)), Math.log(c.measuredFloor()[n]));
        }
        return reg.getSlope();
    }

    /** Snapshot indices shown in the density plot: t = 0, two intermediate times and the end. */
    static int[] shown(ParticlesVsFp.CaseResult c) {
        int last = c.times().length - 1;
        return new int[] {0, Math.max(1, last / 10), last};
    }

    private static void densities(Path file, ParticlesVsFp.Result r) {
        List<Plots.Panel> panels = new ArrayList<>();
        int big = r.settings().nList().get(r.settings().nList().size() - 1);
        for (ParticlesVsFp.CaseResult c : r.cases()) {
            List<Plots.Line> lines = new ArrayList<>();
            int cells = c.fp()[0].length;
            double h = 2 * r.settings().domain() / cells;
            double a = -r.settings().domain();
            for (int k : shown(c)) {
                int stride = 5;
                double[] x = new double[cells / stride];
                double[] y = new double[cells / stride];
                for (int i = 0; i < x.length; i++) {
                    x[i] = a + (i * stride + 0.5) * h;
                    y[i] = c.fp()[k][i * stride];
                }
                lines.add(new Plots.Line(String.format(Locale.ROOT, "FP, t=%.2f", c.times()[k]), x, y));
                double[] hx = new double[c.hist()[k].length];
                for (int b = 0; b < hx.length; b++) {
                    hx[b] = a + (b + 0.5) * 10 * h;
                }
                lines.add(new Plots.Line(String.format(Locale.ROOT, "particles, t=%.2f", c.times()[k]), hx,
                        c.hist()[k]));
            }
            panels.add(new Plots.Panel(c.c().potential().formula + ", λ=" + c.c().lambda(), lines));
        }
        Plots.panels(file, "Fokker–Planck density vs a histogram of " + big + " Langevin particles (bins of 10 cells)",
                "x", "density", panels, 2, "0", org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
    }

    private static void w1Plot(Path file, ParticlesVsFp.Result r, ParticlesVsFp.CaseResult c) {
        List<Plots.Series> series = new ArrayList<>();
        double[] t = c.times().clone();
        t[0] = t[1] / 2; // log axes: plot t = 0 at half the first step
        for (int n = 0; n < r.settings().nList().size(); n++) {
            series.add(new Plots.Series("N=" + r.settings().nList().get(n) + " (mean of " + r.settings().repeats()
                    + ")", t, ParticlesVsFp.meanW1(c, n), false));
        }
        for (int n = 0; n < r.settings().nList().size(); n++) {
            double e = c.expectedFloor()[n];
            series.add(new Plots.Series("sampling floor, N=" + r.settings().nList().get(n),
                    new double[] {t[0], t[t.length - 1]}, new double[] {e, e}, false));
        }
        Plots.xy(file, "W1(particles, FP density) over time, " + c.c().potential().formula + ", λ=" + c.c().lambda(),
                "t", "W1", series, true, true);
    }

    static JsonObject json(ParticlesVsFp.Result r, Path dir) {
        ParticlesVsFp.Settings s = r.settings();
        JsonObject o = new JsonObject();
        JsonArray ns = new JsonArray();
        s.nList().forEach(ns::add);
        o.add("n_list", ns);
        o.addProperty("repeats", s.repeats());
        o.addProperty("dt", s.dt());
        o.addProperty("fp_dt", s.fpDt());
        o.addProperty("domain", s.domain());
        o.addProperty("cells", s.cells());
        o.addProperty("seed", s.seed());
        o.addProperty("seconds", r.seconds());
        JsonArray cases = new JsonArray();
        for (ParticlesVsFp.CaseResult c : r.cases()) {
            JsonObject co = new JsonObject();
            co.addProperty("potential", c.c().potential().id);
            co.addProperty("lambda", c.c().lambda());
            co.addProperty("init_mean", c.c().initMean());
            co.addProperty("init_std", c.c().initStd());
            co.addProperty("t_end", c.c().tEnd());
            co.addProperty("fp_mass_drift", c.fpMassDrift());
            co.addProperty("fp_final_l1_to_gibbs", c.fpGibbsL1());
            JsonArray fl = new JsonArray();
            for (int n = 0; n < s.nList().size(); n++) {
                JsonObject x = new JsonObject();
                x.addProperty("N", s.nList().get(n));
                x.addProperty("measured_floor", c.measuredFloor()[n]);
                x.addProperty("predicted_floor", c.expectedFloor()[n]);
                fl.add(x);
            }
            co.add("floors", fl);
            co.addProperty("floor_slope_vs_ln_N", floorSlope(r, c));
            cases.add(co);
        }
        o.add("cases", cases);
        o.addProperty("out", dir.toString());
        return o;
    }
}
