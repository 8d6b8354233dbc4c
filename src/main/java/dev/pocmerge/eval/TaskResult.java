package dev.pocmerge.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy of one variant on one set, with the standard error of the mean over items as lm-eval reports it
 * ({@code sqrt(p(1−p)/(n−1))}, the sample standard deviation over √n). {@code accNorm} is NaN for generation.
 */
public record TaskResult(CommonsenseTask task, int n, int correct, int unparsable, double accNorm) {
    public double accuracy() {
        return n == 0 ? Double.NaN : (double) correct / n;
    }

    public double stderr() {
        return stderr(accuracy(), n);
    }

    static double stderr(double p, int n) {
        return n < 2 ? Double.NaN : Math.sqrt(p * (1 - p) / (n - 1));
    }

    public static TaskResult of(CommonsenseTask task, List<ItemResult> items) {
        int ok = 0;
        int bad = 0;
        int norm = 0;
        boolean loglik = !items.isEmpty() && items.get(0).correctNorm() != null;
        for (ItemResult r : items) {
            ok += r.correct() ? 1 : 0;
            bad += r.unparsable() ? 1 : 0;
            norm += Boolean.TRUE.equals(r.correctNorm()) ? 1 : 0;
        }
        return new TaskResult(task, items.size(), ok, bad, loglik ? (double) norm / items.size() : Double.NaN);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("correct", correct);
        m.put("accuracy", accuracy());
        m.put("stderr", finite(stderr()));
        if (Double.isNaN(accNorm)) {
            m.put("unparsable", unparsable);
        } else {
            m.put("acc_norm", accNorm);
            m.put("acc_norm_stderr", finite(stderr(accNorm, n)));
        }
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
