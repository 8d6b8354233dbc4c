package dev.pocmerge.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A percentile bootstrap interval for the accuracy difference of two methods scored on the same items: items are
 * resampled with replacement and both methods are scored on the same resample (paired), so the interval reflects
 * the per-item agreement of the two, not two independent samples.
 */
public final class PairedBootstrap {
    /** Observed difference a − b and its 95 % interval. */
    public record Interval(double difference, double low, double high, int resamples) {
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("difference", difference);
            m.put("ci95_low", low);
            m.put("ci95_high", high);
            m.put("resamples", resamples);
            return m;
        }
    }

    private PairedBootstrap() {}

    public static Interval of(boolean[] a, boolean[] b, int resamples, long seed) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("paired samples of equal, non-zero length needed");
        }
        int n = a.length;
        int[] d = new int[n]; // per-item difference: −1, 0 or 1
        double observed = 0;
        for (int i = 0; i < n; i++) {
            d[i] = (a[i] ? 1 : 0) - (b[i] ? 1 : 0);
            observed += d[i];
        }
        observed /= n;
        SplittableRandom rng = new SplittableRandom(seed);
        double[] stats = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += d[rng.nextInt(n)];
            }
            stats[r] = (double) sum / n;
        }
        Arrays.sort(stats);
        return new Interval(observed, quantile(stats, 0.025), quantile(stats, 0.975), resamples);
    }

    /** numpy's default (linear) percentile of sorted values. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
