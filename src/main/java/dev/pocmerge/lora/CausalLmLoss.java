package dev.pocmerge.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Tensors;

/**
 * HF {@code LlamaForCausalLM}'s loss, per member: position i predicts label i+1, positions labelled −100 are
 * ignored, and member s's loss is the mean token NLL over its own b rows,
 * <pre>  L_s = Σ_{rows of s} Σ_i 1[y_{i+1} ≠ −100]·(logsumexp(z_i) − z_i[y_{i+1}]) / #labels_s.</pre>
 * Summing L_s over members gives each member the gradient of its own loss only.
 */
public final class CausalLmLoss {
    private CausalLmLoss() {}

    /** (M) per-member mean NLL of {@code logits} (M·b, T, V). */
    public static NDArray perMember(NDArray logits, MemberBatch batch) {
        NDManager m = logits.getManager();
        int t = batch.length();
        long[] counts = batch.labelCounts();
        double[] inv = new double[counts.length];
        for (int s = 0; s < counts.length; s++) {
            inv[s] = 1.0 / Math.max(1, counts[s]);
        }
        NDArray sums = perRow(logits, batch.labels()).reshape(batch.slots(), batch.rowsPerSlot()).sum(new int[] {1});
        return sums.mul(Tensors.of(m, inv, new Shape(batch.slots()), logits.getDataType()));
    }

    /** (rows) summed NLL of each row's labelled positions (labels (rows, T), −100 ignored, shifted by one). */
    public static NDArray perRow(NDArray logits, long[][] labels) {
        NDManager m = logits.getManager();
        int rows = labels.length;
        int t = labels[0].length;
        long[] target = new long[rows * (t - 1)];
        float[] weight = new float[rows * (t - 1)];
        for (int r = 0; r < rows; r++) {
            for (int i = 1; i < t; i++) {
                long y = labels[r][i];
                boolean used = y != MemberBatch.IGNORE;
                target[r * (t - 1) + i - 1] = used ? y : 0;
                weight[r * (t - 1) + i - 1] = used ? 1f : 0f;
            }
        }
        DataType dt = logits.getDataType();
        NDArray idx = Tensors.ofLongs(m, target, new Shape(rows, t - 1, 1));
        NDArray w = Tensors.of(m, weight, new Shape(rows, t - 1), dt);
        NDArray logp = logits.get(":, :-1, :").logSoftmax(-1);
        return logp.gather(idx, 2).reshape(rows, t - 1).neg().mul(w).sum(new int[] {1});
    }
}
