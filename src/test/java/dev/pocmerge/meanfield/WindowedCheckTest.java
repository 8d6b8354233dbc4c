package dev.pocmerge.meanfield;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.Engines;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The trainer checks finiteness every {@link MfldTrainer#CHECK_EVERY} steps and replays a failed window; that
 * must end exactly where checking after every step ends: same last finite step, same first non-finite step, the
 * same particles, with full batches and with minibatches (whose draws the replay must retrace).
 */
class WindowedCheckTest {
    private static final long SEED = 5;

    private record Run(MfldTrainer.Outcome outcome, float[] x, float[] v) {}

    private static Run run(NDManager mgr, Dataset ds, MfldConfig cfg, int checkEvery) {
        GradientPath grad = new ClosedFormGradient(Neuron.classic(), Loss.SQUARED, cfg.lambdaPrime());
        try (Particles p = Particles.gaussian(mgr, 3, 20, ds.d(), SEED, DataType.FLOAT32)) {
            MfldTrainer.Outcome o = new MfldTrainer(grad, cfg, checkEvery).train(p, Batch.of(mgr, ds.zTrain(),
                    ds.yTrain(), ds.d(), DataType.FLOAT32), SEED, null);
            float[] v = cfg.dynamics() == Dynamics.UNDERDAMPED ? p.v().toFloatArray() : null;
            return new Run(o, p.x().toFloatArray(), v);
        }
    }

    @ParameterizedTest(name = "{0}, batch {1}, eta {2}")
    @CsvSource({"OVERDAMPED, 0, 100", "OVERDAMPED, 16, 50", "UNDERDAMPED, 0, 10", "UNDERDAMPED, 16, 5",
        "OVERDAMPED, 16, 0.01", "UNDERDAMPED, 0, 0.01"})
    void windowedCheckEndsWhereThePerStepCheckEnds(Dynamics dynamics, int batch, double eta) {
        Engines.pytorch();
        Dataset ds = Task.MULTIINDEX.generate(SEED);
        // γ·η = 1 keeps the friction factor 1 − γη at 0 whatever η is (the config refuses γη ≥ 2)
        MfldConfig cfg = new MfldConfig(eta, 0.01, 0.0, 47, dynamics, 1.0 / eta, batch);
        try (NDManager mgr = NDManager.newBaseManager()) {
            Run plain = run(mgr, ds, cfg, 1);
            Run windowed = run(mgr, ds, cfg, MfldTrainer.CHECK_EVERY);
            assertEquals(plain.outcome().stepsDone(), windowed.outcome().stepsDone(), "last finite step");
            assertEquals(plain.outcome().divergedAt(), windowed.outcome().divergedAt(), "first non-finite step");
            assertArrayEquals(plain.x(), windowed.x(), "particles at the last finite step");
            if (plain.v() != null) {
                assertArrayEquals(plain.v(), windowed.v(), "velocities at the last finite step");
            }
            for (float f : windowed.x()) {
                assertTrue(Float.isFinite(f), "particles are finite");
            }
            if (eta > 1) { // the large steps (classic neuron, no L2) diverge inside a window, not at a check: the replay is exercised
                int bad = plain.outcome().divergedAt();
                assertTrue(bad > 1 && bad % MfldTrainer.CHECK_EVERY != 0, "diverged at step " + bad);
            } else {
                assertEquals(47, windowed.outcome().stepsDone());
            }
        }
    }
}
