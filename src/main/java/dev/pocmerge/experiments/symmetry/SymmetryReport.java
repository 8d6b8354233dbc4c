package dev.pocmerge.experiments.symmetry;

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
import java.util.function.Function;
import java.util.function.Predicate;

/** Files of a symmetry study: traces.csv, invariance.png, coincide.png, fixed-space.png, results.json, README. */
public final class SymmetryReport {
    /** Log plots cannot show 0: values below this are drawn at it (EA's distance to E^G is exactly 0). */
    static final double FLOOR = 1e-17;

    private SymmetryReport() {}

    public static JsonObject write(Path dir, SymmetryStudy.Result r, String command, String device) {
        AtomicFiles.writeString(dir.resolve("traces.csv"), traces(r).csv());
        plot(dir.resolve("invariance.png"), r, "invariance of the particle law: MMD²({z_i}, {P z_i P})",
                "MMD²", t -> t.start() != SymmetryStudy.Start.STRONG, SymmetryStudy.Trace::mmd2);
        plot(dir.resolve("coincide.png"), r, "RMS distance of the learned function to plain training's, test points",
                "RMS ‖f − f_plain‖", t -> t.start() != SymmetryStudy.Start.STRONG
                        && t.method() != SymmetricMfld.Method.PLAIN, SymmetryStudy.Trace::toPlain);
        plot(dir.resolve("fixed-space.png"), r, "strongly invariant start: mean distance of the particles to E^G",
                "mean ‖z − P_E z‖", t -> t.start() == SymmetryStudy.Start.STRONG, SymmetryStudy.Trace::distE);
        plot(dir.resolve("loss.png"), r, "test loss ½‖f − f*‖²", "test loss", t -> true, SymmetryStudy.Trace::testLoss);
        JsonObject json = json(r, device, dir);
        Json.writeAtomic(dir.resolve("results.json"), json);
        AtomicFiles.writeString(dir.resolve("README.md"), SymmetryReadme.text(r, command, device));
        return json;
    }

    static String name(SymmetryStudy.Trace t) {
        String start = switch (t.start()) {
            case WEAK -> "weak";
            case SHIFTED -> "non-inv.";
            case STRONG -> "strong";
        };
        return t.method().label + ", " + start + ", N=" + t.particles();
    }

    private static void plot(Path file, SymmetryStudy.Result r, String title, String yTitle,
            Predicate<SymmetryStudy.Trace> which, Function<SymmetryStudy.Trace, double[]> values) {
        List<Plots.Series> series = new ArrayList<>();
        for (SymmetryStudy.Trace t : r.traces()) {
            if (!which.test(t)) {
                continue;
            }
            double[] x = new double[t.steps().length];
            double[] y = values.apply(t).clone();
            for (int k = 0; k < x.length; k++) {
                x[k] = t.steps()[k];
                y[k] = Math.max(FLOOR, y[k]);
            }
            series.add(new Plots.Series(name(t), x, y, false));
        }
        Plots.xy(file, title, "step", yTitle, series, false, true);
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    static Table traces(SymmetryStudy.Result r) {
        Table t = new Table("start", "method", "N", "step", "test_loss", "invariance_mmd2", "dist_to_E_mean",
                "dist_to_E_max", "rms_to_plain");
        for (SymmetryStudy.Trace tr : r.traces()) {
            for (int k = 0; k < tr.steps().length; k++) {
                t.row(tr.start().name().toLowerCase(Locale.ROOT), tr.method().name().toLowerCase(Locale.ROOT),
                        tr.particles(), tr.steps()[k], f(tr.testLoss()[k]), f(tr.mmd2()[k]), f(tr.distE()[k]),
                        f(tr.distEMax()[k]), f(tr.toPlain()[k]));
            }
        }
        return t;
    }

    static double max(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    static double last(double[] a) {
        return a[a.length - 1];
    }

    /** Per run: start, final test loss, invariance MMD² at start and end, distance to E^G, distance to plain. */
    public static Table summary(SymmetryStudy.Result r) {
        Table t = new Table("start", "method", "N", "test loss", "MMD² start", "MMD² end", "max dist to E^G",
                "RMS to plain: max", "end");
        for (SymmetryStudy.Trace tr : r.traces()) {
            t.row(tr.start().name().toLowerCase(Locale.ROOT), tr.method().label, tr.particles(),
                    String.format(Locale.ROOT, "%.3e", last(tr.testLoss())),
                    String.format(Locale.ROOT, "%.2e", tr.mmd2()[0]),
                    String.format(Locale.ROOT, "%.2e", last(tr.mmd2())),
                    String.format(Locale.ROOT, "%.2e", max(tr.distEMax())),
                    tr.method() == SymmetricMfld.Method.PLAIN ? "-"
                            : String.format(Locale.ROOT, "%.2e", max(tr.toPlain())),
                    tr.method() == SymmetricMfld.Method.PLAIN ? "-"
                            : String.format(Locale.ROOT, "%.2e", last(tr.toPlain())));
        }
        return t;
    }

    static JsonObject json(SymmetryStudy.Result r, String device, Path dir) {
        SymmetryStudy.Settings s = r.settings();
        JsonObject o = new JsonObject();
        o.addProperty("device", device);
        o.addProperty("eta", s.hyper().eta());
        o.addProperty("tau", s.hyper().tau());
        o.addProperty("beta", s.hyper().beta());
        o.addProperty("steps", s.hyper().steps());
        o.addProperty("samples_orbit_closed", 2 * s.samples());
        o.addProperty("test_samples", s.testSamples());
        o.addProperty("dtype", s.dtype().toString());
        o.addProperty("seed", s.seed());
        o.addProperty("seconds", r.seconds());
        JsonArray runs = new JsonArray();
        for (SymmetryStudy.Trace tr : r.traces()) {
            JsonObject ro = new JsonObject();
            ro.addProperty("start", tr.start().name().toLowerCase(Locale.ROOT));
            ro.addProperty("method", tr.method().name().toLowerCase(Locale.ROOT));
            ro.addProperty("N", tr.particles());
            ro.addProperty("final_test_loss", last(tr.testLoss()));
            ro.addProperty("mmd2_start", tr.mmd2()[0]);
            ro.addProperty("mmd2_end", last(tr.mmd2()));
            ro.addProperty("max_dist_to_E", max(tr.distEMax()));
            ro.addProperty("max_rms_to_plain", max(tr.toPlain()));
            ro.addProperty("final_rms_to_plain", last(tr.toPlain()));
            runs.add(ro);
        }
        o.add("runs", runs);
        o.addProperty("out", dir.toString());
        return o;
    }
}
