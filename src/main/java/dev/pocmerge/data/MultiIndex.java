package dev.pocmerge.data;

import java.util.Random;

/**
 * Algorithm 2 (Appendix B.1): k multi-index regression. z = ζ^(1/d)·r · g/|g| with g ~ N(0, I_d), and
 * y = (R̄/k)·Σ_{j≤k} tanh(z_j). The paper draws ζ ~ N(0,1); a negative ζ has no real (1/d)-th root (NumPy gives
 * NaN), so we use |ζ|, i.e. ζ ~ half-normal, which keeps every point inside the ball of radius r·|ζ|^(1/d) ≈ r.
 */
public final class MultiIndex {
    public static final int N = 500;
    public static final int D = 100;
    public static final double RADIUS = 5.0;
    public static final int K = 100;
    public static final double R_BAR = 100.0;

    private MultiIndex() {}

    public static Dataset generate(long seed) {
        return generate(N, D, RADIUS, K, R_BAR, seed);
    }

    public static Dataset generate(int n, int d, double r, int k, double rBar, long seed) {
        if (k > d) {
            throw new IllegalArgumentException("k must be ≤ d");
        }
        Random rng = new Random(seed);
        float[] z = new float[n * d];
        float[] y = new float[n];
        double[] g = new double[d];
        for (int i = 0; i < n; i++) {
            double zeta = Math.abs(rng.nextGaussian());
            double scale = Math.pow(zeta, 1.0 / d) * r;
            double norm2 = 0;
            for (int j = 0; j < d; j++) {
                g[j] = rng.nextGaussian();
                norm2 += g[j] * g[j];
            }
            double inv = scale / Math.sqrt(norm2);
            double sum = 0;
            for (int j = 0; j < d; j++) {
                double zj = g[j] * inv;
                z[i * d + j] = (float) zj;
                if (j < k) {
                    sum += Math.tanh(zj);
                }
            }
            y[i] = (float) (sum * rBar / k);
        }
        return Dataset.split("multiindex", Dataset.Kind.REGRESSION, d, z, y, 0.8, rng);
    }
}
