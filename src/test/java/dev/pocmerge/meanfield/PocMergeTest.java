package dev.pocmerge.meanfield;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PocMergeTest {
    private static final Neuron NEURON = Neuron.paper(10);

    @Test
    void mergedOutputIsTheMeanOfTheMembers() {
        Engines.pytorch();
        Random r = new Random(1);
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray x = Fixtures.particles(mgr, r, 5, 12, 5, DataType.FLOAT64);
            Batch data = Batch.of(mgr, Fixtures.gaussian(r, 30 * 3, 1), new float[30], 3, DataType.FLOAT64);
            double[][] members = Evaluation.predict(NEURON, x, data.z2());
            NDArray merged = PocMerge.merge(x);
            assertEquals(60, merged.getShape().get(1));
            double[] viaMerge = Evaluation.predict(NEURON, merged, data.z2())[0];
            double[] mean = new double[30];
            for (double[] row : members) {
                for (int s = 0; s < 30; s++) {
                    mean[s] += row[s] / members.length;
                }
            }
            assertArrayEquals(mean, viaMerge, 1e-12);
            assertArrayEquals(mean, Evaluation.mergedOutput(members), 1e-12);
        }
    }

    @Test
    void mergingCopiesOfOneNetGivesThatNet() {
        Engines.pytorch();
        Random r = new Random(2);
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray one = Fixtures.particles(mgr, r, 1, 9, 4, DataType.FLOAT64);
            NDArray copies = one.repeat(0, 6);
            Batch data = Batch.of(mgr, Fixtures.gaussian(r, 20 * 2, 1), new float[20], 2, DataType.FLOAT64);
            double[] single = Evaluation.predict(NEURON, one, data.z2())[0];
            double[] merged = Evaluation.predict(NEURON, PocMerge.merge(copies), data.z2())[0];
            assertArrayEquals(single, merged, 1e-12);
        }
    }

    @Test
    void pruningKeepsDistinctNeuronsAndAllOfThemIsAPermutation() {
        Engines.pytorch();
        Random r = new Random(4);
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray x = Fixtures.particles(mgr, r, 3, 10, 4, DataType.FLOAT64);
            NDArray merged = PocMerge.merge(x);
            Batch data = Batch.of(mgr, Fixtures.gaussian(r, 15 * 2, 1), new float[15], 2, DataType.FLOAT64);
            double[] full = Evaluation.predict(NEURON, merged, data.z2())[0];
            NDArray all = PocMerge.prune(merged, 30, 9);
            assertArrayEquals(full, Evaluation.predict(NEURON, all, data.z2())[0], 1e-12);
            NDArray some = PocMerge.prune(merged, 7, 9);
            assertEquals(7, some.getShape().get(1));
            // every kept row is a row of the merged net, and no row is kept twice
            double[] kept = Tensors.toDoubles(some);
            double[] src = Tensors.toDoubles(merged);
            java.util.Set<Integer> used = new java.util.HashSet<>();
            for (int i = 0; i < 7; i++) {
                int match = -1;
                for (int j = 0; j < 30; j++) {
                    boolean eq = true;
                    for (int c = 0; c < 4; c++) {
                        eq &= kept[i * 4 + c] == src[j * 4 + c];
                    }
                    if (eq) {
                        match = j;
                    }
                }
                assertEquals(true, match >= 0 && used.add(match), "row " + i);
            }
            assertThrows(PocmergeException.class, () -> PocMerge.prune(merged, 31, 0));
        }
    }
}
