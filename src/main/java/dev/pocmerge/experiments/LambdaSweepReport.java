package dev.pocmerge.experiments;

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

/**
 * Files of a λ sweep: {@code table2.md} / {@code table2.csv} (Table 2), {@code figure2.png} / {@code figure2.csv}
 * (Figure 2), {@code results.json} and a README that sets ours beside the paper's Table 2.
 */
public final class LambdaSweepReport {
    public static final String TABLE_CSV = "table2.csv";
    public static final String FIGURE_PNG = "figure2.png";

    /** The paper's Table 2 (merged M=20 test MSE after 5 epochs): rows λ = 1e-1..1e-4, columns N = 300..800. */
    static final double[] PAPER_LAMBDAS = {1e-1, 1e-2, 1e-3, 1e-4};
    static final int[] PAPER_N = {300, 400, 500, 600, 700, 800};
    static final double[][] PAPER_TABLE2 = {
        {0.9132253, 0.9040508, 0.9075238, 0.9044338, 0.9030165, 0.9022377},
        {1.2325489, 1.2229528, 1.2166352, 1.1978958, 1.1921849, 1.1654898},
        {1.5718020, 1.5668763, 1.5607907, 1.5581368, 1.5282313, 1.5234329},
        {1.6987042, 1.6887244, 1.6631799, 1.6135653, 1.5860944, 1.5821924},
    };

    private LambdaSweepReport() {}

    public static JsonObject write(Path dir, LambdaSweep.Result r, String command, String device) {
        LambdaSweep.Settings s = r.settings();
        Table csv = new Table("lambda", "N", "merged_test_mse", "merged_train_mse", "member_mean_test_ln_mse");
        Table fig = new Table("lambda", "N", "epoch", "member_mean_test_ln_mse", "merged_test_mse");
        for (LambdaSweep.Cell c : r.cells()) {
            int last = s.epochs();
            csv.row(lam(c.lambda()), c.n(), g(c.mergedTestMse()), g(c.mergedTrainMse()), g(c.memberLnMse()[last]));
            for (int e = 0; e <= last; e++) {
                fig.row(lam(c.lambda()), c.n(), e, g(c.memberLnMse()[e]), g(c.mergedMse()[e]));
            }
        }
        AtomicFiles.writeString(dir.resolve(TABLE_CSV), csv.csv());
        AtomicFiles.writeString(dir.resolve("table2.md"), table2(r).markdown());
        AtomicFiles.writeString(dir.resolve("figure2.csv"), fig.csv());
        List<Plots.Panel> panels = new ArrayList<>();
        double[] epochs = new double[s.epochs() + 1];
        for (int e = 0; e <= s.epochs(); e++) {
            epochs[e] = e;
        }
        for (int n : s.nList()) {
            List<Plots.Line> lines = new ArrayList<>();
            for (double l : s.lambdas()) {
                lines.add(new Plots.Line("λ=" + lam(l), epochs, r.cell(l, n).memberLnMse()));
            }
            panels.add(new Plots.Panel("N = " + n, lines));
        }
        Plots.panels(dir.resolve(FIGURE_PNG), String.format(Locale.ROOT, "Averaged test ln(MSE) of single nets "
                + "(mean over %d nets), multi-index, %s", s.members(), epochWord(r)), "epoch", "ln MSE", panels,
                Math.min(3, panels.size()));
        JsonObject json = json(r, device, dir);
        Json.writeAtomic(dir.resolve("results.json"), json);
        AtomicFiles.writeString(dir.resolve("README.md"), LambdaSweepReadme.text(r, command, device));
        return json;
    }

    static String epochWord(LambdaSweep.Result r) {
        return r.stepsPerEpoch() == 1 ? "1 epoch = 1 full-batch step"
                : String.format(Locale.ROOT, "1 epoch = %d minibatch steps of %d", r.stepsPerEpoch(),
                        r.settings().batchSize());
    }

    /** λ as written by hand: 0.1, 0.01, 0.0001. */
    static String lam(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    static String g(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    /** Rows λ, columns N: the merged net's test MSE after the last epoch (the paper's layout). */
    public static Table table2(LambdaSweep.Result r) {
        List<String> head = new ArrayList<>();
        head.add("λ \\ N");
        r.settings().nList().forEach(n -> head.add(String.valueOf(n)));
        Table t = new Table(head.toArray(new String[0]));
        for (double l : r.settings().lambdas()) {
            Object[] row = new Object[r.settings().nList().size() + 1];
            row[0] = lam(l);
            for (int i = 0; i < r.settings().nList().size(); i++) {
                row[i + 1] = String.format(Locale.ROOT, "%.4f", r.cell(l, r.settings().nList().get(i))
                        .mergedTestMse());
            }
            t.row(row);
        }
        return t;
    }

    /** The paper's value at (λ, N), or NaN where Table 2 has none. */
    static double paper(double lambda, int n) {
        for (int i = 0; i < PAPER_LAMBDAS.length; i++) {
            for (int j = 0; j < PAPER_N.length; j++) {
                if (Math.abs(PAPER_LAMBDAS[i] - lambda) < 1e-12 && PAPER_N[j] == n) {
                    return PAPER_TABLE2[i][j];
                }
            }
        }
        return Double.NaN;
    }

    static JsonObject json(LambdaSweep.Result r, String device, Path dir) {
        LambdaSweep.Settings s = r.settings();
        JsonObject o = new JsonObject();
        o.addProperty("device", device);
        o.addProperty("task", "multiindex");
        JsonArray ls = new JsonArray();
        s.lambdas().forEach(ls::add);
        o.add("lambdas", ls);
        JsonArray ns = new JsonArray();
        s.nList().forEach(ns::add);
        o.add("n_list", ns);
        o.addProperty("M", s.members());
        o.addProperty("epochs", s.epochs());
        o.addProperty("batch_size", s.batchSize());
        o.addProperty("steps_per_epoch", r.stepsPerEpoch());
        o.addProperty("eta", s.eta());
        o.addProperty("lambda_prime", s.lambdaPrime());
        o.addProperty("R", s.r());
        o.addProperty("seed", s.seed());
        o.addProperty("n_train", r.nTrain());
        o.addProperty("test_variance", r.testVariance());
        o.addProperty("seconds", r.seconds());
        JsonArray cells = new JsonArray();
        for (LambdaSweep.Cell c : r.cells()) {
            JsonObject co = new JsonObject();
            co.addProperty("lambda", c.lambda());
            co.addProperty("N", c.n());
            co.addProperty("merged_test_mse", c.mergedTestMse());
            co.addProperty("merged_train_mse", c.mergedTrainMse());
            JsonArray ln = new JsonArray();
            for (double v : c.memberLnMse()) {
                ln.add(v);
            }
            co.add("member_mean_test_ln_mse_by_epoch", ln);
            JsonArray mm = new JsonArray();
            for (double v : c.mergedMse()) {
                mm.add(v);
            }
            co.add("merged_test_mse_by_epoch", mm);
            double p = paper(c.lambda(), c.n());
            if (!Double.isNaN(p)) {
                co.addProperty("paper_merged_mse", p);
            }
            cells.add(co);
        }
        o.add("cells", cells);
        o.addProperty("out", dir.toString());
        return o;
    }
}
