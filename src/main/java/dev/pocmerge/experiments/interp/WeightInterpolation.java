package dev.pocmerge.experiments.interp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import dev.pocmerge.meanfield.Dynamics;
import dev.pocmerge.meanfield.EnsembleSpec;
import dev.pocmerge.meanfield.EnsembleTraining;
import dev.pocmerge.meanfield.Evaluation;
import dev.pocmerge.meanfield.Loss;
import dev.pocmerge.meanfield.Metrics;
import dev.pocmerge.meanfield.MfldConfig;
import dev.pocmerge.meanfield.Neuron;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Weight interpolation vs the PoC merge (the seed report's Figure 15): train 2P circles networks of N neurons as
 * one batched ensemble, pair them (0,1), (2,3), ..., and score θ(α) = (1−α)·θ₁ + α·θ₂ (neuron i with neuron i
 * after a {@link NeuronMatching}) over α ∈ [0, 1], beside the PoC merge of the pair (the 2N-neuron union).
 */
public final class WeightInterpolation {
    private WeightInterpolation() {}

    /** MFLD hyperparameters of one training; η and T come with it, R and the data from the task. */
    public record Regime(String name, double eta, double lambda, double lambdaPrime, int steps) {}

    public record Settings(Task task, int neurons, int pairs, int alphas, List<Regime> regimes, long seed) {
        public Settings {
            regimes = List.copyOf(regimes);
            if (neurons <= 0) {
                throw new PocmergeException("--N: neurons per network must be > 0, got " + neurons);
            }
            if (pairs <= 0) {
                throw new PocmergeException("--pairs: must be > 0, got " + pairs);
            }
            if (alphas < 2) {
                throw new PocmergeException("--alphas: need at least 2 points of α ∈ [0, 1], got " + alphas);
            }
            if ((long) neurons * neurons > 25_000_000L) {
                throw new PocmergeException("--N: the assignment's N×N cost matrix is limited to N ≤ 5000, got "
                        + neurons);
            }
        }

        /** The paper's circles settings (Appendix B.1) and a weakly regularised one that fits the task. */
        public static Settings standard(long seed) {
            Task t = Task.CIRCLES;
            return new Settings(t, 200, 4, 21, List.of(new Regime("paper", t.eta, t.lambda, t.lambdaPrime, t.steps),
                    new Regime("sharp", t.eta, 1e-4, 1e-3, 1000)), seed);
        }

        /** Every regime with T = {@code steps}. */
        public Settings withSteps(int steps) {
            if (steps <= 0) {
                throw new PocmergeException("--steps: must be > 0, got " + steps);
            }
            return new Settings(task, neurons, pairs, alphas, regimes.stream()
                    .map(g -> new Regime(g.name(), g.eta(), g.lambda(), g.lambdaPrime(), steps)).toList(), seed);
        }

        public double alpha(int a) {
            return (double) a / (alphas - 1);
        }

        public int totalSteps() {
            return regimes.stream().mapToInt(Regime::steps).sum();
        }
    }

    /** Mean over pairs of the interpolated nets' scores at each α, for one matching. */
    public record Curve(NeuronMatching matching, double[] testLoss, double[] testAcc, double[] trainLoss,
            double meanSquaredDistance) {}

    /** One regime: its curves, the endpoints' and the PoC merges' mean scores, and per-pair raw numbers. */
    public record RegimeResult(Regime regime, List<Curve> curves, Metrics endpoints, Metrics merged,
            double seconds) {}

    public record Result(Settings settings, List<RegimeResult> regimes, double seconds) {}

    public static Result run(NDManager manager, Settings s, IntConsumer progress) {
        long t0 = System.nanoTime();
        Dataset data = s.task().generate(s.seed());
        List<RegimeResult> out = new ArrayList<>();
        int done = 0;
        for (Regime g : s.regimes()) {
            final int base = done;
            out.add(regime(manager, data, s, g, k -> progress.accept(base + k)));
            done += g.steps();
        }
        return new Result(s, out, (System.nanoTime() - t0) / 1e9);
    }

    static RegimeResult regime(NDManager manager, Dataset data, Settings s, Regime g, IntConsumer progress) {
        long t0 = System.nanoTime();
        Neuron neuron = Neuron.paper(s.task().r);
        MfldConfig cfg = new MfldConfig(g.eta(), g.lambda(), g.lambdaPrime(), g.steps(), Dynamics.OVERDAMPED, 0, 0);
        EnsembleSpec spec = new EnsembleSpec(2 * s.pairs(), s.neurons(), neuron, Loss.LOGISTIC, cfg, s.seed());
        try (NDManager sm = manager.newSubManager();
                EnsembleTraining.Result r = EnsembleTraining.run(sm, data, spec, (k, p) -> progress.accept(k))) {
            if (r.outcome().diverged()) {
                throw new PocmergeException("regime " + g.name() + ": diverged at step " + r.outcome().divergedAt());
            }
            int n = s.neurons();
            int d = r.particles().dim();
            double[] all = Tensors.toDoubles(r.particles().x());
            double[][] fTest = Evaluation.predict(neuron, r.particles().x(), r.test().z2());
            double[][] fTrain = Evaluation.predict(neuron, r.particles().x(), r.train().z2());
            List<Metrics> members = new ArrayList<>();
            for (int j = 0; j < 2 * s.pairs(); j++) {
                members.add(Metrics.of(fTrain[j], data.yTrain(), fTest[j], data.yTest(), true));
            }
            Metrics endpoints = meanOf(members);
            List<Metrics> merges = new ArrayList<>();
            for (int p = 0; p < s.pairs(); p++) {
                merges.add(Metrics.of(Evaluation.mergedOutput(new double[][] {fTrain[2 * p], fTrain[2 * p + 1]}),
                        data.yTrain(), Evaluation.mergedOutput(new double[][] {fTest[2 * p], fTest[2 * p + 1]}),
                        data.yTest(), true));
            }
            List<Curve> curves = new ArrayList<>();
            for (NeuronMatching matching : NeuronMatching.values()) {
                curves.add(curve(sm, neuron, matching, all, n, d, s, r, data));
            }
            return new RegimeResult(g, curves, endpoints, meanOf(merges), (System.nanoTime() - t0) / 1e9);
        }
    }

    /** All pairs' interpolated nets for every α as one (P·A, N, D) tensor, scored in one forward per split. */
    static Curve curve(NDManager manager, Neuron neuron, NeuronMatching matching, double[] all, int n, int d,
            Settings s, EnsembleTraining.Result r, Dataset data) {
        int a = s.alphas();
        int per = n * d;
        double[] nets = new double[s.pairs() * a * per];
        double dist = 0;
        for (int p = 0; p < s.pairs(); p++) {
            double[] x1 = slice(all, 2 * p, per);
            double[] x2 = matching.align(x1, slice(all, 2 * p + 1, per), n, d);
            dist += NeuronMatching.meanSquaredDistance(x1, x2, n, d) / s.pairs();
            for (int k = 0; k < a; k++) {
                double al = s.alpha(k);
                int off = (p * a + k) * per;
                for (int i = 0; i < per; i++) {
                    nets[off + i] = (1 - al) * x1[i] + al * x2[i]; // θ(α) = (1−α)·θ₁ + α·θ₂
                }
            }
        }
        double[][] fTrain;
        double[][] fTest;
        try (NDManager sm = manager.newSubManager()) {
            NDArray x = Tensors.of(sm, nets, new Shape(s.pairs() * a, n, d), DataType.FLOAT32);
            fTrain = Evaluation.predict(neuron, x, r.train().z2());
            fTest = Evaluation.predict(neuron, x, r.test().z2());
        }
        double[] loss = new double[a];
        double[] acc = new double[a];
        double[] trainLoss = new double[a];
        for (int k = 0; k < a; k++) {
            List<Metrics> ms = new ArrayList<>();
            for (int p = 0; p < s.pairs(); p++) {
                int row = p * a + k;
                ms.add(Metrics.of(fTrain[row], data.yTrain(), fTest[row], data.yTest(), true));
            }
            Metrics m = meanOf(ms);
            loss[k] = m.testLoss();
            acc[k] = m.testAcc();
            trainLoss[k] = m.trainLoss();
        }
        return new Curve(matching, loss, acc, trainLoss, dist);
    }

    private static double[] slice(double[] all, int member, int per) {
        double[] out = new double[per];
        System.arraycopy(all, member * per, out, 0, per);
        return out;
    }

    static Metrics meanOf(List<Metrics> ms) {
        double trl = 0;
        double tel = 0;
        double tra = 0;
        double tea = 0;
        for (Metrics m : ms) {
            trl += m.trainLoss() / ms.size();
            tel += m.testLoss() / ms.size();
            tra += m.trainAcc() / ms.size();
            tea += m.testAcc() / ms.size();
        }
        return new Metrics(trl, tel, tra, tea);
    }
}
