package dev.pocmerge.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.Tensors;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/** Noisy AdamW against the update written out in float64, and its noise against N(0, 2λη_k). */
class NoisyAdamWTest {
    @Test
    void withoutNoiseItIsAdamWWrittenOutInFloat64ForFiveStepsWithWarmup() {
        Shape shape = new Shape(2, 3, 4);
        int n = (int) shape.size();
        SplittableRandom r = new SplittableRandom(3);
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = r.nextGaussian();
        }
        double[][] g = new double[5][n];
        for (double[] gk : g) {
            for (int i = 0; i < n; i++) {
                gk[i] = r.nextGaussian() * (1 + i % 3);
            }
        }
        LrSchedule sched = new LrSchedule(0.01, 2, 5);
        NoisyAdamW.Hyper h = new NoisyAdamW.Hyper(0.9, 0.999, 1e-8, 0.05, 0.0);
        double[] got;
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            NDArray param = Tensors.of(m, p, shape, DataType.FLOAT64);
            try (NoisyAdamW opt = new NoisyAdamW(m, List.of(param), h)) {
                for (int k = 0; k < 5; k++) {
                    try (NDManager sm = m.newSubManager()) {
                        opt.step(List.of(param), List.of(Tensors.of(sm, g[k], shape, DataType.FLOAT64)), sched.at(k), null);
                    }
                }
            }
            got = Tensors.toDoubles(param);
        }
        // reference: torch.optim.AdamW, one element at a time
        double[] mm = new double[n];
        double[] vv = new double[n];
        double[] ref = p.clone();
        for (int k = 0; k < 5; k++) {
            double lr = k < 2 ? 0.01 * k / 2 : 0.01 * (5 - k) / 3.0;
            int t = k + 1;
            for (int i = 0; i < n; i++) {
                ref[i] *= 1 - lr * 0.05;
                mm[i] = 0.9 * mm[i] + 0.1 * g[k][i];
                vv[i] = 0.999 * vv[i] + 0.001 * g[k][i] * g[k][i];
                double mhat = mm[i] / (1 - Math.pow(0.9, t));
                double vhat = vv[i] / (1 - Math.pow(0.999, t));
                ref[i] -= lr * mhat / (Math.sqrt(vhat) + 1e-8);
            }
        }
        double moved = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(ref[i], got[i], 1e-12, "element " + i);
            moved = Math.max(moved, Math.abs(ref[i] - p[i]));
        }
        assertTrue(moved > 1e-3, "the steps moved the parameters");
        assertEquals(0.0, sched.at(0));
        assertEquals(0.005, sched.at(1), 1e-15);
        assertEquals(0.01, sched.at(2), 1e-15);
        assertEquals(0.01 / 3, sched.at(4), 1e-15);
    }

    @Test
    void noiseIncrementsWithZeroGradientHaveMeanZeroAndVariance2LambdaEta() {
        double lambda = 1e-3;
        double lr = 2e-4;
        Shape per = new Shape(60, 80);
        int[] members = {0, 3, 5, 6};
        double[] before;
        double[] after;
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            NDArray param = m.randomNormal(new Shape(members.length, 60, 80));
            before = Tensors.toDoubles(param);
            try (NoisyAdamW opt = new NoisyAdamW(m, List.of(param), NoisyAdamW.Hyper.paper(lambda))) {
                List<NDArray> noise = new MemberStreams(42).normals(m, members, List.of(per), DataType.FLOAT32, 7);
                opt.step(List.of(param), List.of(m.zeros(param.getShape())), lr, noise);
            }
            after = Tensors.toDoubles(param);
        }
        int n = before.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = after[i] - before[i];
        }
        double sigma2 = 2 * lambda * lr;
        double crit = new NormalDistribution().inverseCumulativeProbability(1 - 0.5e-6); // two-sided 1e-6
        assertTrue(Math.abs(zMean(d, sigma2)) < crit, "mean z = " + zMean(d, sigma2));
        assertTrue(Math.abs(zVar(d, sigma2)) < crit, "variance z = " + zVar(d, sigma2));
        // power: a 5 % error in the noise scale (10 % in variance) would be caught
        assertTrue(Math.abs(zVar(d, sigma2 * 1.05 * 1.05)) > crit);
        assertTrue(Math.abs(zVar(d, sigma2 / (1.05 * 1.05))) > crit);
    }

    private static double zMean(double[] d, double sigma2) {
        double s = 0;
        for (double v : d) {
            s += v;
        }
        return s / d.length / Math.sqrt(sigma2 / d.length);
    }

    /** (s²/σ² − 1)/√(2/(n−1)): the χ²(n−1) statistic of the variance, normal for large n. */
    private static double zVar(double[] d, double sigma2) {
        double mean = 0;
        for (double v : d) {
            mean += v / d.length;
        }
        double ss = 0;
        for (double v : d) {
            ss += (v - mean) * (v - mean);
        }
        return (ss / (d.length - 1) / sigma2 - 1) / Math.sqrt(2.0 / (d.length - 1));
    }
}
