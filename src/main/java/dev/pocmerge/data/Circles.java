package dev.pocmerge.data;

import java.util.Random;

/**
 * Algorithm 1 (Appendix B.1): points on two concentric circles with Gaussian jitter, the first half on the inner
 * circle (label −1), the rest on the outer one (label +1); shuffled and split 80/20. "Normal(0, 0.1)" is read as
 * standard deviation 0.1 per coordinate.
 */
public final class Circles {
    public static final int N = 200;
    public static final double R_INNER = 1.0;
    public static final double R_OUTER = 2.0;
    public static final double JITTER_STD = 0.1;

    private Circles() {}

    public static Dataset generate(long seed) {
        return generate(N, R_INNER, R_OUTER, JITTER_STD, seed);
    }

    public static Dataset generate(int n, double rInner, double rOuter, double jitter, long seed) {
        Random rng = new Random(seed);
        float[] z = new float[2 * n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double theta = 2 * Math.PI * rng.nextDouble();
            double xi1 = jitter * rng.nextGaussian();
            double xi2 = jitter * rng.nextGaussian();
            boolean inner = i < n / 2;
            double r = inner ? rInner : rOuter;
            z[2 * i] = (float) (r * Math.cos(theta) + xi1);
            z[2 * i + 1] = (float) (r * Math.sin(theta) + xi2);
            y[i] = inner ? -1f : 1f;
        }
        return Dataset.split("circles", Dataset.Kind.CLASSIFICATION, 2, z, y, 0.8, rng);
    }
}
