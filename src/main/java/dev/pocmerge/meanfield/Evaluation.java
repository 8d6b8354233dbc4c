package dev.pocmerge.meanfield;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.Tensors;
import java.util.ArrayList;
import java.util.List;

/** Scores every member and the PoC-merged network on train and test data. */
public final class Evaluation {
    private Evaluation() {}

    /** Each member's and the merged network's metrics. */
    public record Report(List<Metrics> members, Metrics merged) {}

    /** Predictions (M, n) of every member on {@code z2} (n, D), as doubles. */
    public static double[][] predict(Neuron neuron, NDArray x, NDArray z2) {
        int m = (int) x.getShape().get(0);
        try (NDManager sm = x.getManager().newSubManager()) {
            x.tempAttach(sm);
            z2.tempAttach(sm);
            double[] flat = Tensors.toDoubles(MeanField.forward(neuron, x, z2));
            int n = flat.length / m;
            double[][] out = new double[m][n];
            for (int j = 0; j < m; j++) {
                System.arraycopy(flat, j * n, out[j], 0, n);
            }
            return out;
        }
    }

    /** Mean over members: the merged network's output (all members have N neurons). */
    public static double[] mergedOutput(double[][] f) {
        double[] out = new double[f[0].length];
        for (double[] row : f) {
            for (int s = 0; s < out.length; s++) {
                out[s] += row[s];
            }
        }
        for (int s = 0; s < out.length; s++) {
            out[s] /= f.length;
        }
        return out;
    }

    public static Report evaluate(Neuron neuron, NDArray x, Batch train, Batch test, float[] yTrain, float[] yTest,
            boolean classification) {
        double[][] ftr = predict(neuron, x, train.z2());
        double[][] fte = predict(neuron, x, test.z2());
        List<Metrics> members = new ArrayList<>();
        for (int j = 0; j < ftr.length; j++) {
            members.add(Metrics.of(ftr[j], yTrain, fte[j], yTest, classification));
        }
        Metrics merged = Metrics.of(mergedOutput(ftr), yTrain, mergedOutput(fte), yTest, classification);
        return new Report(members, merged);
    }

    /** The merged network randomly pruned to {@code neurons}: its scores and its outputs on the test points. */
    public record Pruned(int neurons, Metrics metrics, double[] testOutput) {}

    /**
     * Scores the merged network after random pruning to {@code s} of its M·N neurons (Remark after Thm 4.4).
     */
    public static Pruned pruned(Neuron neuron, NDArray x, int s, long seed, Batch train, Batch test, float[] yTrain,
            float[] yTest, boolean classification) {
        try (NDManager sm = x.getManager().newSubManager()) {
            x.tempAttach(sm);
            NDArray net = PocMerge.prune(PocMerge.merge(x), s, seed);
            double[] ftr = predict(neuron, net, train.z2())[0];
            double[] fte = predict(neuron, net, test.z2())[0];
            return new Pruned(s, Metrics.of(ftr, yTrain, fte, yTest, classification), fte);
        }
    }
}
