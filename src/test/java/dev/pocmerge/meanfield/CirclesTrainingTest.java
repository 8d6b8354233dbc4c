package dev.pocmerge.meanfield;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.Engines;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import org.junit.jupiter.api.Test;

/**
 * The paper's circles defaults (B.1: R=10, η=0.1, λ′=0.1, λ=0.01, T=200) with the CLI's default M=8, N=500,
 * each run beside its own untrained start (the same seed, 0 steps). At these settings the regularised optimum is a
 * weak classifier (logistic loss ≈ 0.55): test accuracy depends on the 40-point draw (60–100 % over data seeds),
 * so every claim is relative to the start or holds for every draw.
 *
 * <p>Measured (seeds 0–2): merged train loss 0.692/0.698/0.690 at the start → 0.557/0.551/0.556 trained; train
 * accuracy 0.50/0.43/0.64 → 0.79/0.87/0.91; best untrained member 0.667/0.683/0.675, every trained member
 * ≤ 0.558; Jensen gap (mean member loss − merged loss) 5.0e-3/9.9e-3/5.1e-3 at the start, ≤ 1.3e-4 trained.
 */
class CirclesTrainingTest {
    private static Evaluation.Report run(Dataset ds, Task task, int steps, long seed) {
        MfldConfig cfg = new MfldConfig(task.eta, task.lambda, task.lambdaPrime, steps, Dynamics.OVERDAMPED, 1, 0);
        EnsembleSpec spec = new EnsembleSpec(8, 500, Neuron.paper(task.r), Loss.LOGISTIC, cfg, seed);
        try (NDManager mgr = NDManager.newBaseManager(); var r = EnsembleTraining.run(mgr, ds, spec, null)) {
            assertEquals(steps, r.outcome().stepsDone());
            return r.report();
        }
    }

    private static double meanMemberTrainLoss(Evaluation.Report r) {
        return r.members().stream().mapToDouble(Metrics::trainLoss).average().orElseThrow();
    }

    @Test
    void paperDefaultsLearnFromTheStartAndTrainedMembersAgree() {
        Engines.pytorch();
        Task task = Task.CIRCLES;
        double accSum = 0;
        int seeds = 3;
        for (long seed = 0; seed < seeds; seed++) {
            Dataset ds = task.generate(seed);
            Evaluation.Report start = run(ds, task, 0, seed);
            Evaluation.Report done = run(ds, task, task.steps, seed);
            Metrics m0 = start.merged();
            Metrics m1 = done.merged();
            String at = "seed " + seed + ": ";
            // the start is chance: f ≈ 0 everywhere, so the loss is ≈ log 2
            assertEquals(Math.log(2), m0.trainLoss(), 0.02, at + "untrained merged train loss");
            // training moves the merged net well below its own start, in loss and in accuracy
            assertTrue(m1.trainLoss() < m0.trainLoss() - 0.1, at + m1.trainLoss() + " vs start " + m0.trainLoss());
            assertTrue(m1.trainAcc() >= 0.75 && m1.trainAcc() >= m0.trainAcc() + 0.15,
                    at + "train acc " + m1.trainAcc() + " vs start " + m0.trainAcc());
            // every trained member beats the best untrained member by a margin
            double bestStart = start.members().stream().mapToDouble(Metrics::trainLoss).min().orElseThrow();
            for (Metrics mem : done.members()) {
                assertTrue(mem.trainLoss() < bestStart - 0.08, at + "member " + mem.trainLoss() + " vs " + bestStart);
            }
            // Jensen (the logistic loss is convex and the merge averages outputs): holds for any particles, so it
            // only checks that merging is averaging; margin 0
            assertTrue(m1.trainLoss() <= meanMemberTrainLoss(done) + 1e-9, at + "Jensen, trained");
            assertTrue(m0.trainLoss() <= meanMemberTrainLoss(start) + 1e-9, at + "Jensen, start");
            // what untrained particles fail: trained members agree (all near the same limit), so the Jensen gap
            // collapses from ≥ 5e-3 at the start to ≤ 1.3e-4 (asserted: below 1e-3 and a fifth of the start's)
            double gap0 = meanMemberTrainLoss(start) - m0.trainLoss();
            double gap1 = meanMemberTrainLoss(done) - m1.trainLoss();
            assertTrue(gap1 < 1e-3 && gap1 < gap0 / 5, at + "Jensen gap " + gap1 + " vs start " + gap0);
            accSum += m1.testAcc();
        }
        assertTrue(accSum / seeds >= 0.7, "mean merged test accuracy " + accSum / seeds);
    }
}
