package dev.pocmerge.meanfield;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Seeds;
import dev.pocmerge.core.Shuffle;
import dev.pocmerge.core.Tensors;
import java.util.Random;

/**
 * The PoC merge (Section 4): M independently trained networks of N neurons become one network of M·N neurons
 * whose output is the mean over all of them, {@code f(z) = (1/(MN))·Σ_j Σ_i h(x_j^i, z)}. Since every member has
 * N neurons this equals the mean of the members' outputs.
 */
public final class PocMerge {
    private static final long PRUNE_SALT = 0x9121E5L;

    private PocMerge() {}

    /** (M, N, D) → (1, M·N, D). */
    public static NDArray merge(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(1, s.get(0) * s.get(1), s.get(2));
    }

    /**
     * Random pruning (Remark after Thm 4.4): keep s of the network's neurons, drawn uniformly without
     * replacement. (1, K, D) → (1, s, D).
     */
    public static NDArray prune(NDArray merged, int s, long seed) {
        int total = (int) merged.getShape().get(1);
        if (s <= 0 || s > total) {
            throw new PocmergeException("--prune: must be in 1.." + total + ", got " + s);
        }
        int[] perm = new int[total];
        Shuffle.sample(perm, s, new Random(Seeds.derive(seed, PRUNE_SALT)));
        long[] keep = new long[s];
        for (int i = 0; i < s; i++) {
            keep[i] = perm[i];
        }
        NDArray idx = Tensors.ofLongs(merged.getManager(), keep, new Shape(s));
        return merged.get(new NDIndex(":, {}", idx));
    }
}
