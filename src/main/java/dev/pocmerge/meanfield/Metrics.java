package dev.pocmerge.meanfield;

/**
 * Scores of one network. Loss is the mean logistic loss for classification and the MSE {@code mean (f − y)²}
 * for regression; accuracies are null for regression.
 */
public record Metrics(double trainLoss, double testLoss, Double trainAcc, Double testAcc) {

    /** Loss (and accuracy when {@code classification}) of predictions f against labels y. */
    public static double[] score(double[] f, float[] y, boolean classification) {
        double loss = 0;
        int correct = 0;
        for (int s = 0; s < f.length; s++) {
            if (classification) {
                loss += Loss.LOGISTIC.value(f[s], y[s]);
                correct += (f[s] >= 0 ? 1 : -1) == (y[s] >= 0 ? 1 : -1) ? 1 : 0;
            } else {
                double e = f[s] - y[s];
                loss += e * e;
            }
        }
        int n = Math.max(1, f.length);
        return new double[] {loss / n, (double) correct / n};
    }

    public static Metrics of(double[] fTrain, float[] yTrain, double[] fTest, float[] yTest, boolean cls) {
        double[] tr = score(fTrain, yTrain, cls);
        double[] te = score(fTest, yTest, cls);
        return new Metrics(tr[0], te[0], cls ? tr[1] : null, cls ? te[1] : null);
    }
}
