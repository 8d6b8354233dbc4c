package dev.pocmerge.meanfield;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.Engines;
import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

/** The CPU noise streams: N(0, σ²) values, one stream per (member, step), the same numbers however drawn. */
class NoiseStreamsTest {
    private static final int N = 500;
    private static final int D = 102;

    private static float[] draw(NDManager mgr, NoiseStreams s, int step, float sigma) {
        return s.draw(mgr, step, N, D, sigma, DataType.FLOAT32).toFloatArray();
    }

    @Test
    void memberDrawIsTheSameAloneInABatchAndTwice() {
        Engines.pytorch();
        try (NDManager mgr = NDManager.newBaseManager()) {
            NoiseStreams all = new NoiseStreams(3, new int[] {0, 1, 2, 3, 4, 5});
            float[] batch = draw(mgr, all, 7, 0.3f);
            assertArrayEquals(batch, draw(mgr, all, 7, 0.3f), "the same step drawn twice (the trainer's replay)");
            int per = N * D;
            for (int m : new int[] {0, 4, 5}) {
                float[] alone = draw(mgr, new NoiseStreams(3, new int[] {m}), 7, 0.3f);
                assertArrayEquals(Arrays.copyOfRange(batch, m * per, (m + 1) * per), alone, "member " + m);
            }
            // the parallel fill equals filling member by member, in order, on one thread
            float[] serial = new float[batch.length];
            for (int j = 0; j < 6; j++) {
                all.fill(java.nio.FloatBuffer.wrap(serial), j * per, per, j, 7, 0.3f);
            }
            assertArrayEquals(serial, batch);
            // step 8 right after step 7 comes from the fill ahead; a fresh stream fills it on the spot
            float[] ahead = draw(mgr, all, 8, 0.3f);
            assertArrayEquals(draw(mgr, new NoiseStreams(3, new int[] {0, 1, 2, 3, 4, 5}), 8, 0.3f), ahead,
                    "filled ahead = filled on demand");
            assertFalse(Arrays.equals(batch, ahead), "another step, other numbers");
            // drawing step 8 filled step 9 ahead at σ = 0.3: a draw of step 9 at another σ must not be served it
            assertArrayEquals(draw(mgr, new NoiseStreams(3, new int[] {0, 1, 2, 3, 4, 5}), 9, 0.6f),
                    draw(mgr, all, 9, 0.6f), "σ is part of the fill's key");
            // the streams reuse one host buffer: a draw must keep its numbers when the next one is made
            try (NDArray held = all.draw(mgr, 7, N, D, 0.3f, DataType.FLOAT32);
                    NDArray next = all.draw(mgr, 8, N, D, 0.3f, DataType.FLOAT32)) {
                assertArrayEquals(batch, held.toFloatArray(), "a draw held across the next one");
                assertFalse(Arrays.equals(batch, next.toFloatArray()));
            }
        }
    }

    /**
     * Kolmogorov–Smirnov against N(0, σ²) on 204,000 values at a false-alarm rate of 1e-6, with a power check: the
     * same values read as if σ were 3 % larger are rejected. Members and consecutive steps are uncorrelated.
     */
    @Test
    void valuesAreGaussianWithTheAskedScaleAndStreamsAreUncorrelated() {
        Engines.pytorch();
        float sigma = 0.2f;
        try (NDManager mgr = NDManager.newBaseManager()) {
            NoiseStreams s = new NoiseStreams(11, new int[] {2, 9, 40, 41});
            float[] a = draw(mgr, s, 1, sigma);
            double[] v = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                v[i] = a[i];
            }
            KolmogorovSmirnovTest ks = new KolmogorovSmirnovTest();
            double p = ks.kolmogorovSmirnovTest(new NormalDistribution(null, 0, sigma), v);
            assertTrue(p > 1e-6, "KS p-value " + p);
            double pWrong = ks.kolmogorovSmirnovTest(new NormalDistribution(null, 0, sigma * 1.03), v);
            assertTrue(pWrong < 1e-6, "a 3 % scale error must be caught, p = " + pWrong);
            int per = N * D;
            double[] m0 = Arrays.copyOfRange(v, 0, per);
            double[] m1 = Arrays.copyOfRange(v, per, 2 * per);
            float[] next = draw(mgr, s, 2, sigma);
            double[] m0next = new double[per];
            for (int i = 0; i < per; i++) {
                m0next[i] = next[i];
            }
            PearsonsCorrelation corr = new PearsonsCorrelation();
            double bound = 5 / Math.sqrt(per); // |r| of independent streams exceeds 5/√n with p ≈ 6e-7
            assertTrue(Math.abs(corr.correlation(m0, m1)) < bound, "members 2 and 9 correlate");
            assertTrue(Math.abs(corr.correlation(m0, m0next)) < bound, "steps 1 and 2 of member 2 correlate");
        }
    }
}
