package dev.pocmerge.meanfield;

import dev.pocmerge.core.Seeds;
import dev.pocmerge.core.Shuffle;
import java.util.Random;

/**
 * One minibatch per member per step, from the member's own stream, keyed by its global index: members stay
 * independent as the PoC argument needs, and a member sees the same minibatches whichever members share its
 * process. An epoch is ⌊n/b⌋ minibatches cut from one shuffle, so no minibatch repeats a row and no row repeats
 * within an epoch; when b does not divide n, the n mod b rows left at the end of a shuffle are skipped for that
 * epoch (the next shuffle is fresh, so every row is as likely to be skipped), as PyTorch's {@code drop_last}.
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

    /** The next minibatch of every member, member-major: row m·b + j is member m's j-th sample. */
    long[] nextIndices() {
        int members = perm.length;
        long[] idx = new long[members * b];
        for (int m = 0; m < members; m++) {
            if (cursor[m] + b > n) { // a batch never straddles two shuffles: it could hold a row twice
                Shuffle.shuffle(perm[m], rng[m]);
                cursor[m] = 0;
            }
            for (int j = 0; j < b; j++) {
                idx[m * b + j] = perm[m][cursor[m]++];
            }
        }
        return idx;
    }
}
