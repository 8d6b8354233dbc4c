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
import java.util.Random;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MfldStepTest {

    /** One batched step of M networks equals M single-network steps fed the same noise. */
    @ParameterizedTest
    @EnumSource(Dynamics.class)
    void batchedStepEqualsMemberByMemberSteps(Dynamics dynamics) {
        Engines.pytorch();
        Random r = new Random(3);
        int m = 4;
        int n = 16;
        int d = 6;
        int samples = 25;
        MfldConfig cfg = new MfldConfig(0.05, 0.01, 0.1, 1, dynamics, 0.7, 0);
        Neuron neuron = Neuron.paper(10);
        try (NDManager mgr = NDManager.newBaseManager()) {
            Batch data = Batch.of(mgr, Fixtures.gaussian(r, samples * d, 1.0), Fixtures.labels(r, samples, false), d,
                    DataType.FLOAT64);
            NDArray x = Fixtures.particles(mgr, r, m, n, d + 2, DataType.FLOAT64);
            NDArray v = Fixtures.particles(mgr, r, m, n, d + 2, DataType.FLOAT64);
            NDArray noise = Fixtures.particles(mgr, r, m, n, d + 2, DataType.FLOAT64).mul(cfg.noiseStd());
            MfldStep step = new MfldStep(new ClosedFormGradient(neuron, Loss.SQUARED, cfg.lambdaPrime()), cfg);
            MfldStep.State batched = step.apply(x, dynamics == Dynamics.UNDERDAMPED ? v : null, data, noise);
            for (int j = 0; j < m; j++) {
                NDIndex one = new NDIndex(j + ":" + (j + 1));
                MfldStep.State single = step.apply(x.get(one), dynamics == Dynamics.UNDERDAMPED ? v.get(one) : null,
                        data, noise.get(one));
                assertArrayEquals(Tensors.toDoubles(single.x()), Tensors.toDoubles(batched.x().get(one)), 1e-12,
                        "member " + j);
                if (dynamics == Dynamics.UNDERDAMPED) {
                    assertArrayEquals(Tensors.toDoubles(single.v()), Tensors.toDoubles(batched.v().get(one)), 1e-12);
                }
            }
            // and it moved: the step is not the identity
            double moved = Tensors.toDoubles(batched.x().sub(x).abs().max())[0];
            assertTrue(moved > 1e-3, "step moved particles by " + moved);
        }
    }

    /**
     * The fast step (closed form, −η and the L2 term folded into single passes) equals eq. (3) written plainly:
     * {@code x − η·N·∇F + noise} with ∇F from autograd of the whole objective, λ′ term included.
     */
    @ParameterizedTest
    @EnumSource(Dynamics.class)
    void fastStepEqualsThePlainUpdateRule(Dynamics dynamics) {
        Engines.pytorch();
        Random r = new Random(8);
        int m = 3;
        int n = 6;
        int d = 4;
        int samples = 13;
        double lambdaPrime = 0.3;
        MfldConfig cfg = new MfldConfig(0.07, 0.02, lambdaPrime, 1, dynamics, 0.9, 0);
        Neuron neuron = Neuron.paper(5);
        try (NDManager mgr = NDManager.newBaseManager()) {
            Batch data = Batch.of(mgr, Fixtures.gaussian(r, samples * d, 1.0), Fixtures.labels(r, samples, true), d,
                    DataType.FLOAT64);
            NDArray x = Fixtures.particles(mgr, r, m, n, d + 2, DataType.FLOAT64);
            NDArray v = Fixtures.particles(mgr, r, m, n, d + 2, DataType.FLOAT64);
            NDArray noise = Fixtures.particles(mgr, r, m, n, d + 2, DataType.FLOAT64).mul(cfg.noiseStd());
            MfldStep.State fast = new MfldStep(new ClosedFormGradient(neuron, Loss.LOGISTIC, lambdaPrime), cfg)
                    .apply(x, v, data, noise);
            // plain: autograd of F = data + λ′(1/N)Σ‖x‖², times N
            NDArray leaf = x.duplicate();
            leaf.setRequiresGradient(true);
            try (ai.djl.training.GradientCollector gc =
                    ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(MeanField.objective(neuron, Loss.LOGISTIC, lambdaPrime, leaf, data).sum());
            }
            double[] g = Tensors.toDoubles(leaf.getGradient());
            double[] xs = Tensors.toDoubles(x);
            double[] vs = Tensors.toDoubles(v);
            double[] xi = Tensors.toDoubles(noise);
            double[] fx = Tensors.toDoubles(fast.x());
            double eta = cfg.eta();
            for (int i = 0; i < xs.length; i++) {
                double grad = n * g[i];
                double expectX;
                if (dynamics == Dynamics.OVERDAMPED) {
                    expectX = xs[i] - eta * grad + xi[i];
                } else {
                    double nv = (1 - cfg.gamma() * eta) * vs[i] - eta * grad + xi[i];
                    assertEquals(nv, Tensors.toDoubles(fast.v())[i], 1e-12, "v " + i);
                    expectX = xs[i] + eta * nv;
                }
                assertEquals(expectX, fx[i], 1e-12, "x " + i);
            }
        }
    }

    /**
     * With the data term and λ′ off, an overdamped step is pure noise: increments have mean 0 and variance 2λη per
     * coordinate. Tested on 200,000 increments at a false-alarm rate of 1e-6 per check (|z| > 4.89 for the mean;
     * chi-square quantiles for the variance), so a correct implementation fails about once in a million runs.
     */
    @Test
    void pureNoiseIncrementsHaveVariance2LambdaEta() {
        Engines.pytorch();
        double eta = 0.05;
        double lambda = 0.2;
        int m = 5;
        int n = 400;
        int d = 98; // D = 100
        MfldConfig cfg = new MfldConfig(eta, lambda, 0.0, 1, Dynamics.OVERDAMPED, 1, 0);
        GradientPath noData = new GradientPath() {
            @Override
            public NDArray scaledDataGradient(NDArray x, Batch batch, double scale) {
                return x.zerosLike();
            }

            @Override
            public double lambdaPrime() {
                return 0;
            }
        };
        try (NDManager mgr = NDManager.newBaseManager()) {
            Particles p = Particles.gaussian(mgr, m, n, d, 11, DataType.FLOAT32);
            double[] before = Tensors.toDoubles(p.x());
            Batch dummy = Batch.of(mgr, new float[d], new float[1], d, DataType.FLOAT32);
            new MfldTrainer(noData, cfg).train(p, dummy, 5, null);
            double[] after = Tensors.toDoubles(p.x());
            int k = before.length;
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < k; i++) {
                double inc = after[i] - before[i];
                sum += inc;
                sumSq += inc * inc;
            }
            double variance = 2 * lambda * eta;
            double zMean = (sum / k) / Math.sqrt(variance / k);
            double alpha = 1e-6;
            double zCrit = new NormalDistribution().inverseCumulativeProbability(1 - alpha / 2);
            assertTrue(Math.abs(zMean) < zCrit, "mean of increments is off: z = " + zMean);
            // Σ inc² / σ² ~ χ²(k) (mean known to be 0)
            ChiSquaredDistribution chi = new ChiSquaredDistribution(k);
            double stat = sumSq / variance;
            assertTrue(stat > chi.inverseCumulativeProbability(alpha / 2)
                    && stat < chi.inverseCumulativeProbability(1 - alpha / 2),
                    "variance of increments " + sumSq / k + " vs 2λη = " + variance);
            // the check has power: a 5% error in the noise scale would be caught
            assertTrue(sumSq / (variance * 1.05 * 1.05) < chi.inverseCumulativeProbability(alpha / 2));
        }
    }

    @Test
    void underdampedNoiseUsesFriction() {
        MfldConfig over = new MfldConfig(0.1, 0.01, 0.1, 1, Dynamics.OVERDAMPED, 2.0, 0);
        MfldConfig under = new MfldConfig(0.1, 0.01, 0.1, 1, Dynamics.UNDERDAMPED, 2.0, 0);
        assertEquals(Math.sqrt(2 * 0.01 * 0.1), over.noiseStd(), 1e-15);
        assertEquals(Math.sqrt(2 * 2.0 * 0.01 * 0.1), under.noiseStd(), 1e-15);
    }
}
