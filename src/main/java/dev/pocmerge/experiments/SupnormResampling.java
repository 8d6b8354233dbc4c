package dev.pocmerge.experiments;

import java.util.Random;

/**
 * The inner loops of Algorithm 3 (Appendix B.1): for M = 1..M_max, draw {@code resamples} random M-subsets of
 * the M_max trained networks, merge each (PoC merge of equal-width nets = mean of their outputs), and take the
 * sup over test points of |merged − reference|. Plain Java on the (M_max, n_test) output matrix.
 */
public final class SupnormResampling {
    private SupnormResampling() {}

    /** Mean and standard deviation (over resamples, divisor R − 1) of the sup-norm, index M − 1. */
    public record Stats(double[] mean, double[] std) {}

    /** Sup over points of |mean of rows {@code subset[0..m)} − reference|. */
    public static double supNorm(double[][] outputs, int[] subset, int m, double[] reference) {
        double sup = 0;
        for (int s = 0; s < reference.length; s++) {
            double merged = 0;
            for (int j = 0; j < m; j++) {
                merged += outputs[subset[j]][s];
            }
            sup = Math.max(sup, Math.abs(merged / m - reference[s]));
        }
        return sup;
    }

    /** Algorithm 3's loops over M and the resamples; {@code outputs} is (M_max, n_test). */
    public static Stats byM(double[][] outputs, double[] reference, int resamples, Random rng) {
        int mMax = outputs.length;
        for (double[] row : outputs) {
            if (row.length != reference.length) {
                throw new IllegalArgumentException("outputs and reference differ in test points");
            }
        }
        double[] mean = new double[mMax];
        double[] std = new double[mMax];
        int[] idx = new int[mMax];
        double[] draws = new double[resamples];
        for (int m = 1; m <= mMax; m++) {
            for (int r = 0; r < resamples; r++) {
                sampleWithoutReplacement(idx, m, rng);
                draws[r] = supNorm(outputs, idx, m, reference);
            }
            double sum = 0;
            for (double v : draws) {
                sum += v;
            }
            double mu = sum / resamples;
            double ss = 0;
            for (double v : draws) {
                ss += (v - mu) * (v - mu);
            }
            mean[m - 1] = mu;
            std[m - 1] = resamples > 1 ? Math.sqrt(ss / (resamples - 1)) : 0;
        }
        return new Stats(mean, std);
    }

    /** Puts a uniform random m-subset of 0..idx.length−1 into idx[0..m) (partial Fisher–Yates). */
    static void sampleWithoutReplacement(int[] idx, int m, Random rng) {
        dev.pocmerge.core.Shuffle.sample(idx, m, rng);
        // a fixed summation order: the same subset always gives the same bits (M = M_max has zero spread)
        java.util.Arrays.sort(idx, 0, m);
    }
}
