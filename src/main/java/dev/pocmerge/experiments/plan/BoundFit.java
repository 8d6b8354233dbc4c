package dev.pocmerge.experiments.plan;

import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealVector;

/**
 * A {@link BoundShape} fitted to measured cells by non-negative least squares on relative residuals:
 * minimise {@code Σ_i ((ŝ_i − s_i)/s_i)²} over {@code c ≥ 0}, {@code ŝ_i = Σ_j c_j·φ_j(M_i, N_i)}. Relative, because
 * the grid's values span an order of magnitude and a plain fit would serve only the largest cells; non-negative,
 * because each term is an upper-bound contribution. With three constants the exact NNLS solution is found by
 * solving the unconstrained problem on every non-empty subset of terms and keeping the best feasible one (the NNLS
 * optimum is the unconstrained optimum on its own support).
 */
public record BoundFit(BoundShape shape, double lambda, double[] constants, double rmsRelative) {

    public static BoundFit fit(BoundShape shape, double lambda, List<SupnormGrid.Cell> cells) {
        int n = cells.size();
        int p = shape.names.size();
        double[][] a = new double[n][p];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            SupnormGrid.Cell c = cells.get(i);
            double[] phi = shape.terms(c.m(), c.n(), lambda);
            for (int j = 0; j < p; j++) {
                a[i][j] = phi[j] / c.supNorm(); // row i divided by s_i: relative residuals
            }
            b[i] = 1;
        }
        double best = Double.POSITIVE_INFINITY;
        double[] bestC = new double[p];
        for (int mask = 1; mask < (1 << p); mask++) {
            double[] c = solve(a, b, mask, p);
            if (c == null) {
                continue;
            }
            double r = residual(a, b, c);
            if (r < best) {
                best = r;
                bestC = c;
            }
        }
        return new BoundFit(shape, lambda, bestC, Math.sqrt(best / n));
    }

    /** Unconstrained least squares on the terms in {@code mask}; null if singular or some constant is negative. */
    private static double[] solve(double[][] a, double[] b, int mask, int p) {
        int q = Integer.bitCount(mask);
        if (q > a.length) {
            return null;
        }
        double[][] sub = new double[a.length][q];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0, c = 0; j < p; j++) {
                if ((mask & (1 << j)) != 0) {
                    sub[i][c++] = a[i][j];
                }
            }
        }
        QRDecomposition qr = new QRDecomposition(new Array2DRowRealMatrix(sub, false), 1e-12);
        if (!qr.getSolver().isNonSingular()) {
            return null;
        }
        RealVector x = qr.getSolver().solve(new ArrayRealVector(b, false));
        double[] c = new double[p];
        for (int j = 0, k = 0; j < p; j++) {
            if ((mask & (1 << j)) != 0) {
                c[j] = x.getEntry(k++);
                if (c[j] < 0) {
                    return null;
                }
            }
        }
        return c;
    }

    private static double residual(double[][] a, double[] b, double[] c) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double r = -b[i];
            for (int j = 0; j < c.length; j++) {
                r += a[i][j] * c[j];
            }
            s += r * r;
        }
        return s;
    }

    /** Predicted sup-norm of M merged networks of N neurons. */
    public double predict(int m, int n) {
        double[] phi = shape.terms(m, n, lambda);
        double s = 0;
        for (int j = 0; j < phi.length; j++) {
            s += constants[j] * phi[j];
        }
        return s;
    }

    /** Root-mean-square and largest relative error |ŝ − s|/s over {@code cells}. */
    public double[] relativeErrors(List<SupnormGrid.Cell> cells) {
        double sq = 0;
        double max = 0;
        for (SupnormGrid.Cell c : cells) {
            double e = Math.abs(predict(c.m(), c.n()) - c.supNorm()) / c.supNorm();
            sq += e * e;
            max = Math.max(max, e);
        }
        return new double[] {Math.sqrt(sq / Math.max(1, cells.size())), max};
    }

    @Override
    public double[] constants() {
        return constants.clone();
    }
}
