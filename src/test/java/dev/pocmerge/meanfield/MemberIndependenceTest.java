package dev.pocmerge.meanfield;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The scale-out contract (issue 8): member m's trajectory depends only on (seed, m, device, hyperparameters).
 * Trained alone, or with other members, or inside the full M-batched run, it ends at the same particles; and the
 * merge of two halves trained apart is the merge of the whole run.
 */
class MemberIndependenceTest {
    private static final int M = 5;
    private static final int N = 30;
    private static final long SEED = 11;

    /** Circles at the paper's η, λ, λ′ but with a larger λ so the noise matters, 60 steps. */
    private static EnsembleSpec spec(Dynamics dynamics, int batchSize) {
        Task t = Task.CIRCLES;
        MfldConfig cfg = new MfldConfig(t.eta, 0.05, t.lambdaPrime, 60, dynamics, 0.8, batchSize);
        return new EnsembleSpec(M, N, Neuron.paper(t.r), Loss.LOGISTIC, cfg, SEED);
    }

    private static float[] train(NDManager mgr, Dataset ds, EnsembleSpec spec) {
        try (NDManager sm = mgr.newSubManager(); var r = EnsembleTraining.run(sm, ds, spec, null)) {
            assertEquals(spec.mfld().steps(), r.outcome().stepsDone());
            return r.particles().x().toFloatArray();
        }
    }

    @ParameterizedTest(name = "{0}, batch size {1}")
    @CsvSource({"OVERDAMPED, 0", "UNDERDAMPED, 0", "OVERDAMPED, 32", "UNDERDAMPED, 32"})
    void memberAloneEqualsMemberInTheFullBatchedRun(Dynamics dynamics, int batchSize) {
        Engines.pytorch();
        Dataset ds = Task.CIRCLES.generate(SEED);
        EnsembleSpec full = spec(dynamics, batchSize);
        int per = N * (ds.d() + 2);
        try (NDManager mgr = NDManager.newBaseManager()) {
            float[] all = train(mgr, ds, full);
            for (int k : new int[] {0, 3, 4}) {
                float[] alone = train(mgr, ds, full.withTrained(new int[] {k}));
                assertClose(slice(all, k, per), alone, "member " + k + " alone");
            }
            // a pair that skips members, and neighbours whose rows move
            float[] pair = train(mgr, ds, full.withTrained(new int[] {1, 4}));
            assertClose(slice(all, 1, per), slice(pair, 0, per), "member 1 beside 4");
            assertClose(slice(all, 4, per), slice(pair, 1, per), "member 4 beside 1");
            // the members really differ and moved away from their start: equality above is not vacuous
            assertTrue(maxAbsDiff(slice(all, 0, per), slice(all, 1, per)) > 0.1);
            float[] start;
            try (Particles p0 = Particles.gaussian(mgr, new int[] {3}, N, ds.d(), SEED, DataType.FLOAT32)) {
                start = p0.x().toFloatArray();
            }
            assertTrue(maxAbsDiff(start, slice(all, 3, per)) > 0.05, "training moved member 3");
        }
    }

    /** Without per-member noise streams the noise of member 3 would depend on M: a smaller ensemble proves it. */
    @ParameterizedTest
    @CsvSource({"OVERDAMPED", "UNDERDAMPED"})
    void memberDoesNotDependOnTheEnsembleSize(Dynamics dynamics) {
        Engines.pytorch();
        Dataset ds = Task.CIRCLES.generate(SEED);
        EnsembleSpec big = spec(dynamics, 0);
        EnsembleSpec small = new EnsembleSpec(4, N, big.neuron(), big.loss(), big.mfld(), SEED);
        int per = N * (ds.d() + 2);
        try (NDManager mgr = NDManager.newBaseManager()) {
            assertClose(slice(train(mgr, ds, big), 3, per), slice(train(mgr, ds, small), 3, per), "member 3");
        }
    }

    @ParameterizedTest
    @CsvSource({"OVERDAMPED, 0", "UNDERDAMPED, 32"})
    void mergingTwoHalvesEqualsMergingTheWholeRun(Dynamics dynamics, int batchSize) {
        Engines.pytorch();
        Dataset ds = Task.CIRCLES.generate(SEED);
        EnsembleSpec full = spec(dynamics, batchSize);
        try (NDManager mgr = NDManager.newBaseManager()) {
            Batch test = Batch.of(mgr, ds.zTest(), ds.yTest(), ds.d(), DataType.FLOAT32);
            float[] whole = train(mgr, ds, full);
            float[] a = train(mgr, ds, full.withTrained(new int[] {0, 1}));
            float[] b = train(mgr, ds, full.withTrained(new int[] {2, 3, 4}));
            float[] joined = new float[whole.length];
            System.arraycopy(a, 0, joined, 0, a.length);
            System.arraycopy(b, 0, joined, a.length, b.length);
            double[] fWhole = mergedTest(mgr, full.neuron(), whole, ds, test);
            double[] fJoined = mergedTest(mgr, full.neuron(), joined, ds, test);
            assertArrayEquals(fWhole, fJoined, 1e-5 * maxAbs(fWhole), "merged outputs on the test points");
        }
    }

    private static double[] mergedTest(NDManager mgr, Neuron neuron, float[] x, Dataset ds, Batch test) {
        try (NDManager sm = mgr.newSubManager()) {
            NDArray xa = Tensors.of(sm, x, new ai.djl.ndarray.types.Shape(M, N, ds.d() + 2), DataType.FLOAT32);
            return Evaluation.predict(neuron, PocMerge.merge(xa), test.z2())[0];
        }
    }

    /** Within 1e-5 relative to the member's largest coordinate. */
    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double tol = 1e-5 * Math.max(1e-30, maxAbs(expected));
        double diff = maxAbsDiff(expected, actual);
        assertTrue(diff <= tol, what + ": max |Δ| = " + diff + " > " + tol);
    }

    static float[] slice(float[] a, int k, int per) {
        float[] out = new float[per];
        System.arraycopy(a, k * per, out, 0, per);
        return out;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    static double maxAbs(float[] a) {
        double d = 0;
        for (float v : a) {
            d = Math.max(d, Math.abs(v));
        }
        return d;
    }

    static double maxAbs(double[] a) {
        double d = 0;
        for (double v : a) {
            d = Math.max(d, Math.abs(v));
        }
        return d;
    }
}
