package dev.pocmerge.meanfield;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Seeds;
import dev.pocmerge.core.Shuffle;
import dev.pocmerge.core.Tensors;
import java.util.Random;

/**
 * One minibatch per member per step, drawn without replacement within an epoch (a reshuffle each pass), from
 * the member's own stream, keyed by its global index: members stay independent as the PoC argument needs, and a
 * member sees the same minibatches whichever members share its process.
 */
final class MinibatchSampler {
    private static final long SALT = 0x5EEDBA7CL;
    private final int n;
    private final int b;
    private final int[][] perm;
    private final int[] cursor;
    private final Random[] rng;

    MinibatchSampler(int[] memberIds, int n, int b, long seed) {
        int members = memberIds.length;
        this.n = n;
        this.b = b;
        perm = new int[members][];
        cursor = new int[members];
        rng = new Random[members];
        for (int m = 0; m < members; m++) {
            rng[m] = new Random(Seeds.derive(seed ^ SALT, memberIds[m]));
            perm[m] = Shuffle.identity(n);
            cursor[m] = n; // shuffle on first use
        }
    }

    NDArray next(NDManager manager) {
        int members = perm.length;
        long[] idx = new long[members * b];
        for (int m = 0; m < members; m++) {
            for (int j = 0; j < b; j++) {
                if (cursor[m] == n) {
                    Shuffle.shuffle(perm[m], rng[m]);
                    cursor[m] = 0;
                }
                idx[m * b + j] = perm[m][cursor[m]++];
            }
        }
        return Tensors.ofLongs(manager, idx, new Shape(members, b));
    }
}
