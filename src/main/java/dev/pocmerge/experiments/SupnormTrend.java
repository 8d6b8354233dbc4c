package dev.pocmerge.experiments;

import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;
import org.apache.commons.math3.stat.regression.SimpleRegression;

/**
 * Numbers that say whether a sup-norm grid falls as M and N grow, as the paper's Figure 1 shows and Theorem 4.7
 * predicts (its leading term is R·sqrt(d/(MN)), i.e. slope −1/2 in log–log).
 *
 * @param rowsMonotone fraction of N rows whose sup-norm never rises with M
 * @param colsMonotone fraction of M columns whose sup-norm never rises with N
 * @param stepsDownM fraction of adjacent (M → M+1) pairs that fall
 * @param stepsDownN fraction of adjacent (N_i → N_{i+1}) pairs that fall
 * @param cornerRatio sup-norm at (smallest N, M = 1) over that at (largest N, M_max)
 * @param slopeMN least-squares slope of ln sup-norm vs ln(M·N) over all cells, with its R²
 * @param slopeM slope in ln M of the fit ln sup = a + b_M·ln M + b_N·ln N
 * @param slopeN slope in ln N of the same fit (NaN with a single N)
 */
public record SupnormTrend(double rowsMonotone, double colsMonotone, double stepsDownM, double stepsDownN,
        double cornerRatio, double slopeMN, double r2MN, double slopeM, double slopeN) {

    /** {@code mean[i][m-1]} for N = nList[i]. */
    public static SupnormTrend of(int[] nList, double[][] mean) {
        int nn = mean.length;
        int mm = mean[0].length;
        int rows = 0;
        int downM = 0;
        for (double[] row : mean) {
            boolean mono = true;
            for (int m = 1; m < mm; m++) {
                downM += row[m] < row[m - 1] ? 1 : 0;
                mono &= row[m] <= row[m - 1];
            }
            rows += mono ? 1 : 0;
        }
        int cols = 0;
        int downN = 0;
        for (int m = 0; m < mm; m++) {
            boolean mono = true;
            for (int i = 1; i < nn; i++) {
                downN += mean[i][m] < mean[i - 1][m] ? 1 : 0;
                mono &= mean[i][m] <= mean[i - 1][m];
            }
            cols += mono ? 1 : 0;
        }
        SimpleRegression simple = new SimpleRegression();
        double[] y = new double[nn * mm];
        double[][] x = new double[nn * mm][2];
        for (int i = 0; i < nn; i++) {
            for (int m = 0; m < mm; m++) {
                double ly = Math.log(mean[i][m]);
                simple.addData(Math.log((double) (m + 1) * nList[i]), ly);
                y[i * mm + m] = ly;
                x[i * mm + m][0] = Math.log(m + 1);
                x[i * mm + m][1] = Math.log(nList[i]);
            }
        }
        double slopeM = Double.NaN;
        double slopeN = Double.NaN;
        if (nn > 1 && mm > 1) {
            OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
            ols.newSampleData(y, x);
            double[] b = ols.estimateRegressionParameters();
            slopeM = b[1];
            slopeN = b[2];
        } else if (mm > 1) {
            SimpleRegression sm = new SimpleRegression();
            for (int m = 0; m < mm; m++) {
                sm.addData(Math.log(m + 1), Math.log(mean[0][m]));
            }
            slopeM = sm.getSlope();
        }
        return new SupnormTrend((double) rows / nn, (double) cols / mm,
                mm > 1 ? (double) downM / (nn * (mm - 1)) : Double.NaN,
                nn > 1 ? (double) downN / ((nn - 1) * mm) : Double.NaN,
                mean[0][0] / mean[nn - 1][mm - 1], simple.getSlope(), simple.getRSquare(), slopeM, slopeN);
    }
}
