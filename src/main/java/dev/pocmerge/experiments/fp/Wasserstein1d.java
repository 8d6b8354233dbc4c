package dev.pocmerge.experiments.fp;

import java.util.Arrays;

/**
 * W1 between N particles and a density given as cell averages on a uniform grid, exactly:
 * {@code W1 = ∫|F_N(x) − F(x)| dx} in one dimension, F_N the empirical CDF (a step function) and F the density's
 * CDF (piecewise linear, the density being uniform within each cell). Between consecutive breakpoints (cell
 * edges and particles) F_N is constant and F linear, so each piece is integrated in closed form.
 */
public final class Wasserstein1d {
    private Wasserstein1d() {}

    /** {@code sorted} ascending; the density's total mass is normalised to 1. */
    public static double w1(double[] sorted, double a, double h, double[] density) {
        int cells = density.length;
        double[] edgeCdf = new double[cells + 1];
        for (int i = 0; i < cells; i++) {
            edgeCdf[i + 1] = edgeCdf[i] + density[i] * h;
        }
        double total = edgeCdf[cells];
        for (int i = 0; i <= cells; i++) {
            edgeCdf[i] /= total;
        }
        int n = sorted.length;
        double[] points = new double[cells + 1 + n];
        for (int i = 0; i <= cells; i++) {
            points[i] = a + i * h;
        }
        System.arraycopy(sorted, 0, points, cells + 1, n);
        Arrays.sort(points);
        double w = 0;
        int below = 0; // particles ≤ the segment's left end
        for (int t = 0; t + 1 < points.length; t++) {
            double l = points[t];
            double r = points[t + 1];
            while (below < n && sorted[below] <= l) {
                below++;
            }
            if (r <= l) {
                continue;
            }
            double c = (double) below / n;
            double g0 = cdf(l, a, h, edgeCdf) - c;
            double g1 = cdf(r, a, h, edgeCdf) - c;
            w += (r - l) * (g0 * g1 >= 0 ? Math.abs(g0 + g1) / 2
                    : (g0 * g0 + g1 * g1) / (2 * (Math.abs(g0) + Math.abs(g1))));
        }
        return w;
    }

    static double cdf(double x, double a, double h, double[] edgeCdf) {
        int cells = edgeCdf.length - 1;
        double u = (x - a) / h;
        if (u <= 0) {
            return 0;
        }
        if (u >= cells) {
            return 1;
        }
        int i = Math.min(cells - 1, (int) u);
        return edgeCdf[i] + (edgeCdf[i + 1] - edgeCdf[i]) * (u - i);
    }

    /**
     * The large-N mean of W1 between N independent draws from F and F itself:
     * {@code E∫|F_N − F| ≈ sqrt(2/(πN))·∫sqrt(F(1 − F)) dx} (F_N(x) is a binomial mean; E|Z| = sqrt(2/π)).
     */
    public static double expectedFloor(int particles, double a, double h, double[] density) {
        int cells = density.length;
        double total = 0;
        for (double d : density) {
            total += d * h;
        }
        double s = 0;
        double f = 0;
        for (int i = 0; i < cells; i++) { // midpoint rule on F, exact enough at the grid's resolution
            double mid = f + 0.5 * density[i] * h / total;
            s += Math.sqrt(Math.max(0, mid * (1 - mid))) * h;
            f += density[i] * h / total;
        }
        return Math.sqrt(2 / (Math.PI * particles)) * s;
    }
}
