package dev.pocmerge.meanfield;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Minibatches as the trainer hands them to the gradient, observed through the public API only (a
 * {@link GradientPath} that records each step's batch), so the sampler's internals may change. Row s of the data
 * has label s and feature s, so a batch's labels are the indices drawn and its features confirm the rows match.
 * Contract (MinibatchSampler, DESIGN.md): without replacement within an epoch of ⌊n/b⌋ batches, reshuffled each
 * pass, from member m's own stream keyed by its global index; member m's draws do not depend on M or on the other members.
 */
class MinibatchSamplingTest {
    private static final long SEED = 17;

    /** Records {@code draws[step][row][j]}: the data indices member row j saw at each step. */
    private static final class Recorder implements GradientPath {
        final List<int[][]> draws = new ArrayList<>();

        @Override
        public NDArray scaledDataGradient(NDArray x, Batch batch, double scale) {
            double[] y = Tensors.toDoubles(batch.y());
            double[] z2 = Tensors.toDoubles(batch.z2());
            int m = (int) x.getShape().get(0);
            int b = y.length / m;
            assertEquals(m * b * 3, z2.length, "(M, b, D = 3) per-member batch");
            int[][] step = new int[m][b];
            for (int r = 0; r < m * b; r++) {
                assertEquals(y[r], z2[r * 3], 0.0, "feature and label come from the same row");
                assertEquals(1.0, z2[r * 3 + 1], 0.0, "bias column");
                step[r / b][r % b] = (int) y[r];
            }
            draws.add(step);
            return x.zerosLike();
        }

        @Override
        public double lambdaPrime() {
            return 0;
        }
    }

    /** draws[step][row][j] of members {@code ids} over {@code steps} steps, n data rows, batch size b. */
    private static int[][][] draw(int[] ids, int n, int b, int steps, long seed) {
        Engines.pytorch();
        float[] z = new float[n];
        float[] y = new float[n];
        for (int s = 0; s < n; s++) {
            z[s] = s;
            y[s] = s;
        }
        MfldConfig cfg = new MfldConfig(0.1, 0.0, 0.0, steps, Dynamics.OVERDAMPED, 1, b);
        Recorder rec = new Recorder();
        try (NDManager mgr = NDManager.newBaseManager();
                Particles p = Particles.gaussian(mgr, ids, 2, 1, 0, DataType.FLOAT32)) {
            Batch data = Batch.of(mgr, z, y, 1, DataType.FLOAT32);
            new MfldTrainer(rec, cfg).train(p, data, seed, null);
        }
        assertEquals(steps, rec.draws.size());
        return rec.draws.toArray(new int[0][][]);
    }

    /** Member row {@code row}'s whole stream of indices, step after step. */
    private static int[] stream(int[][][] draws, int row) {
        int b = draws[0][row].length;
        int[] out = new int[draws.length * b];
        for (int k = 0; k < draws.length; k++) {
            System.arraycopy(draws[k][row], 0, out, k * b, b);
        }
        return out;
    }

    @Test
    void eachEpochIsAPermutationAndEachMinibatchHasNoRepeats() {
        int n = 40;
        int b = 8;
        int epochs = 5;
        int[][][] d = draw(new int[] {0, 1, 2}, n, b, epochs * n / b, SEED);
        for (int row = 0; row < 3; row++) {
            int[] s = stream(d, row);
            int[] previous = null;
            for (int e = 0; e < epochs; e++) {
                int[] epoch = Arrays.copyOfRange(s, e * n, (e + 1) * n);
                int[] sorted = epoch.clone();
                Arrays.sort(sorted);
                for (int i = 0; i < n; i++) {
                    assertEquals(i, sorted[i], "member " + row + ", epoch " + e + " is not a permutation of 0.." + (n - 1));
                }
                assertFalse(previous != null && Arrays.equals(previous, epoch), "epoch " + e + " not reshuffled");
                previous = epoch;
            }
            for (int[][] step : d) {
                assertEquals(b, Arrays.stream(step[row]).distinct().count(), "repeat in " + Arrays.toString(step[row]));
            }
        }
        assertFalse(Arrays.equals(stream(d, 0), stream(d, 1)), "members 0 and 1 draw the same minibatches");
    }

    /**
     * b ∤ n: an epoch is ⌊n/b⌋ batches of one shuffle; no batch and no epoch repeats a row (a batch straddling
     * two shuffles could), and the n mod b rows skipped each epoch change, so over many epochs every row is seen.
     */
    @Test
    void noRowRepeatsInABatchOrAnEpochWhenTheBatchSizeDoesNotDivideN() {
        int n = 30;
        int b = 7;
        int perEpoch = n / b; // 4 batches, 28 rows, 2 skipped
        int epochs = 20;
        int[][][] d = draw(new int[] {3}, n, b, epochs * perEpoch, SEED);
        int[] seen = new int[n];
        for (int e = 0; e < epochs; e++) {
            boolean[] inEpoch = new boolean[n];
            for (int k = e * perEpoch; k < (e + 1) * perEpoch; k++) {
                for (int i : d[k][0]) {
                    assertFalse(inEpoch[i], "row " + i + " twice in epoch " + e + " (step " + (k + 1) + ")");
                    inEpoch[i] = true;
                    seen[i]++;
                }
            }
        }
        int everSkipped = 0;
        for (int i = 0; i < n; i++) {
            assertTrue(seen[i] > 0, "row " + i + " never seen in " + epochs + " epochs");
            everSkipped += seen[i] < epochs ? 1 : 0;
        }
        // 2 rows skipped per epoch; the same 2 every time would be a fixed tail (expected ≈ 22 distinct rows)
        assertTrue(everSkipped > 2 * 3, "only " + everSkipped + " distinct rows were ever skipped");
    }

    @Test
    void memberDrawsDoNotDependOnMOrOnTheOtherMembers() {
        int n = 50;
        int b = 10;
        int steps = 12;
        int[][][] five = draw(new int[] {0, 1, 2, 3, 4}, n, b, steps, SEED);
        int[][][] alone = draw(new int[] {3}, n, b, steps, SEED);
        int[][][] pair = draw(new int[] {1, 4}, n, b, steps, SEED);
        int[][][] eight = draw(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, n, b, steps, SEED);
        assertArrayEquals(stream(five, 3), stream(alone, 0), "member 3 alone vs in M = 5");
        assertArrayEquals(stream(five, 3), stream(eight, 3), "member 3 in M = 5 vs M = 8");
        assertArrayEquals(stream(five, 1), stream(pair, 0), "member 1 beside 4");
        assertArrayEquals(stream(five, 4), stream(pair, 1), "member 4 beside 1");
        // same seed reproduces, another seed does not
        assertArrayEquals(stream(alone, 0), stream(draw(new int[] {3}, n, b, steps, SEED), 0), "reproducible");
        assertFalse(Arrays.equals(stream(alone, 0), stream(draw(new int[] {3}, n, b, steps, SEED + 1), 0)),
                "another seed, the same minibatches");
        // every pair of members differs (independent streams, not one stream shared or shifted)
        for (int i = 0; i < 8; i++) {
            for (int j = i + 1; j < 8; j++) {
                assertFalse(Arrays.equals(stream(eight, i), stream(eight, j)), "members " + i + ", " + j);
            }
        }
    }

    /** Over many epochs each index lands in each batch slot equally often (a uniform shuffle), χ² at 1e-6. */
    @Test
    void firstMinibatchOfAnEpochIsUniform() {
        int n = 20;
        int b = 5;
        int epochs = 600;
        int[] s = stream(draw(new int[] {0}, n, b, epochs * n / b, SEED), 0);
        long[] count = new long[n];
        for (int e = 0; e < epochs; e++) {
            for (int j = 0; j < b; j++) {
                count[s[e * n + j]]++;
            }
        }
        // each index is in an epoch's first b draws with probability p = b/n and the counts sum to epochs·b, so
        // Cov = epochs·p(1−p)·(n/(n−1))·(I − 11ᵀ/n): Σ (c − E)² / (E(1−p)) · (n−1)/n ~ χ²(n−1)
        double p = (double) b / n;
        double expected = epochs * p;
        double stat = 0;
        for (long c : count) {
            stat += (c - expected) * (c - expected) / (expected * (1 - p));
        }
        stat *= (n - 1.0) / n;
        double crit = new org.apache.commons.math3.distribution.ChiSquaredDistribution(n - 1)
                .inverseCumulativeProbability(1 - 1e-6);
        assertTrue(stat < crit, "χ² = " + stat + " ≥ " + crit + ", counts " + Arrays.toString(count));
    }
}
