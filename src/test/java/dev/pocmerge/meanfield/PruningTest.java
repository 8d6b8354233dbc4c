package dev.pocmerge.meanfield;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.Tensors;
import java.util.Arrays;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * Random pruning of the PoC-merged net to N of its M·N neurons (Remark after Thm 4.4): uniform without
 * replacement, so each neuron is kept with probability N/(M·N) = 1/M, and reproducible from the seed. Neuron j of
 * the merged net carries its index j in coordinate 0, so the kept neurons can be read off the pruned net.
 */
class PruningTest {
    private static final int M = 4;
    private static final int N = 25;
    private static final int K = M * N;

    /** Indices of the neurons {@code PocMerge.prune} keeps, in the order it returns them. */
    private static int[] kept(NDArray merged, int s, long seed) {
        double[] rows = Tensors.toDoubles(PocMerge.prune(merged, s, seed));
        assertEquals(s * 3, rows.length);
        int[] idx = new int[s];
        for (int i = 0; i < s; i++) {
            idx[i] = (int) rows[i * 3];
            assertEquals(-idx[i], rows[i * 3 + 1], 0.0, "the whole row moved with its index");
        }
        return idx;
    }

    private static NDArray labelledMerged(NDManager mgr) {
        double[] x = new double[K * 3];
        for (int j = 0; j < K; j++) {
            x[j * 3] = j;
            x[j * 3 + 1] = -j;
            x[j * 3 + 2] = 0.5;
        }
        return PocMerge.merge(Tensors.of(mgr, x, new Shape(M, N, 3), DataType.FLOAT64));
    }

    /**
     * Over T = 1,000 seeds, neuron j is kept c_j times; c_j ~ Binomial(T, 1/M) with Σ c_j = T·N fixed, so
     * Σ (c_j − T/M)² / (T·(1/M)(1 − 1/M)) · (K−1)/K ~ χ²(K−1). Checked at a false-alarm rate of 1e-6, and each
     * c_j against its binomial bound at 1e-6/K (Bonferroni).
     */
    @Test
    void everyNeuronIsKeptWithProbabilityOneOverM() {
        Engines.pytorch();
        int trials = 1000;
        long[] count = new long[K];
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray merged = labelledMerged(mgr);
            for (long seed = 0; seed < trials; seed++) {
                int[] idx = kept(merged, N, seed);
                assertEquals(N, Arrays.stream(idx).distinct().count(), "a neuron kept twice at seed " + seed);
                for (int j : idx) {
                    count[j]++;
                }
            }
        }
        double p = 1.0 / M;
        double mean = trials * p;
        double var = trials * p * (1 - p);
        double stat = 0;
        double zMax = new NormalDistribution().inverseCumulativeProbability(1 - 1e-6 / (2 * K));
        for (int j = 0; j < K; j++) {
            double z = (count[j] - mean) / Math.sqrt(var);
            assertTrue(Math.abs(z) < zMax, "neuron " + j + " kept " + count[j] + " times, expected " + mean);
            stat += z * z;
        }
        stat *= (K - 1.0) / K;
        ChiSquaredDistribution chi = new ChiSquaredDistribution(K - 1);
        assertTrue(stat < chi.inverseCumulativeProbability(1 - 1e-6) && stat > chi.inverseCumulativeProbability(1e-6),
                "χ² = " + stat + " over " + Arrays.toString(count));
        // every member contributes N/M neurons on average: no member is favoured (N·var ignores the negative
        // covariances, so this bound is conservative)
        for (int member = 0; member < M; member++) {
            long sum = 0;
            for (int i = 0; i < N; i++) {
                sum += count[member * N + i];
            }
            double zm = (sum - trials * N * p) / Math.sqrt(N * var);
            assertTrue(Math.abs(zm) < zMax, "member " + member + " kept " + sum + " neuron-times");
        }
    }

    @Test
    void theSameSeedKeepsTheSameNeurons() {
        Engines.pytorch();
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray merged = labelledMerged(mgr);
            int[] a = kept(merged, N, 42);
            assertArrayEquals(a, kept(merged, N, 42), "same seed");
            // another merged tensor with the same shape: the choice depends on the seed only
            assertArrayEquals(a, kept(labelledMerged(mgr), N, 42), "same seed, fresh tensor");
            int[] sa = a.clone();
            Arrays.sort(sa);
            int[] sb = kept(merged, N, 43);
            Arrays.sort(sb);
            assertFalse(Arrays.equals(sa, sb), "seeds 42 and 43 keep the same neurons");
        }
    }
}
