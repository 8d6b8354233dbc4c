package dev.pocmerge.meanfield;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.Engines;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import org.junit.jupiter.api.Test;

/**
 * The paper's circles defaults (B.1: R=10, η=0.1, λ′=0.1, λ=0.01, T=200) with the CLI's default M=8, N=500.
 * At these settings the regularised optimum is a weak classifier (logistic loss ≈ 0.55): test accuracy depends
 * on the 40-point draw (60–100 % over data seeds, the same for the peer PyTorch script fed the same data), so we
 * assert what holds for every draw: the loss falls well below chance, accuracy is clearly above chance on
 * average, and the merged net is never worse than its average member (the logistic loss is convex: Jensen).
 */
class CirclesTrainingTest {
    @Test
    void paperDefaultsLearnAndTheMergeIsNoWorseThanItsMembers() {
        Engines.pytorch();
        Task task = Task.CIRCLES;
        double accSum = 0;
        int seeds = 3;
        for (long seed = 0; seed < seeds; seed++) {
            Dataset ds = task.generate(seed);
            MfldConfig cfg = new MfldConfig(task.eta, task.lambda, task.lambdaPrime, task.steps, Dynamics.OVERDAMPED,
                    1, 0);
            EnsembleSpec spec = new EnsembleSpec(8, 500, Neuron.paper(task.r), Loss.LOGISTIC, cfg, seed);
            try (NDManager mgr = NDManager.newBaseManager(); var r = EnsembleTraining.run(mgr, ds, spec, null)) {
                Metrics merged = r.report().merged();
                double meanMemberTest = r.report().members().stream().mapToDouble(Metrics::testLoss).average()
                        .orElseThrow();
                assertTrue(merged.trainLoss() < Math.log(2) - 0.1, "train loss " + merged.trainLoss());
                assertTrue(merged.testLoss() <= meanMemberTest + 1e-9, merged.testLoss() + " > " + meanMemberTest);
                assertTrue(merged.trainAcc() >= 0.75, "train acc " + merged.trainAcc());
                accSum += merged.testAcc();
            }
        }
        assertTrue(accSum / seeds >= 0.7, "mean merged test accuracy " + accSum / seeds);
    }
}
