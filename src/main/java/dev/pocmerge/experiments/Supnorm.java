package dev.pocmerge.experiments;

import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Seeds;
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
import java.util.List;
import java.util.Random;
import java.util.function.LongConsumer;

/**
 * Algorithm 3 (Appendix B.1): train a reference net of N∞ neurons as the stand-in for the mean-field limit; for
 * each N train M_max nets of N neurons in ONE batched run; for M = 1..M_max average over resamples the sup over
 * test points of |merged − reference| (Theorem 4.7 bounds its expectation by Õ(R·sqrt(d/(MN) + …))).
 */
public final class Supnorm {
    /** Seed streams: the data use the base seed; reference, each N's ensemble and the resampling their own. */
    static final long REFERENCE_STREAM = dev.pocmerge.meanfield.Reference.STREAM; // ensemble's f∞ is the same net
    static final long ENSEMBLE_STREAM = 0xE45E0000L;
    static final long RESAMPLE_STREAM = 0x5A3B0000L;

    private Supnorm() {}

    /** What to run; the MFLD settings are the task's B.1 defaults, {@code steps} T. */
    public record Settings(Task task, int nInf, List<Integer> nList, int mMax, int resamples, int steps, long seed) {
        public Settings {
            nList = List.copyOf(nList);
            if (nList.isEmpty()) {
                throw new PocmergeException("--n-list: give at least one N, e.g. --n-list 50,100,200");
            }
            for (int n : nList) {
                if (n <= 0) {
                    throw new PocmergeException("--n-list: every N must be > 0, got " + n);
                }
            }
            if (nInf <= 0) {
                throw new PocmergeException("--n-inf: reference width must be > 0, got " + nInf);
            }
            if (mMax <= 0) {
                throw new PocmergeException("--m-max: number of networks must be > 0, got " + mMax);
            }
            if (resamples <= 0) {
                throw new PocmergeException("--resamples: must be > 0, got " + resamples);
            }
            if (steps < 0) {
                throw new PocmergeException("--steps: must be ≥ 0, got " + steps);
            }
        }

        /** The paper's grid: N∞ = 10000, N ∈ {50, 100, …, 500}, M_max = 20, 50 resamples, T from B.1. */
        public static Settings paper(Task task, long seed) {
            return new Settings(task, 10000, range(50, 500, 50), 20, 50, task.steps, seed);
        }

        /** A reduced grid that runs in well under two minutes on 2 cores. */
        public static Settings quick(Task task, long seed) {
            return new Settings(task, 2000, List.of(50, 100, 200), 8, 20, task.steps, seed);
        }

        public MfldConfig mfld() {
            return new MfldConfig(task.eta, task.lambda, task.lambdaPrime, steps, Dynamics.OVERDAMPED, 1.0, 0);
        }

        public Loss loss() {
            return task == Task.CIRCLES ? Loss.LOGISTIC : Loss.SQUARED;
        }

        /** MFLD steps over the whole experiment (reference plus one batched run per N), for progress bars. */
        public long totalSteps() {
            return (long) steps * (1 + nList.size());
        }
    }

    /**
     * {@code mean[i][m-1]}, {@code std[i][m-1]}: sup-norm at N = nList[i] and M = m. The scores of the reference
     * and of {@code merged[i]} (all M_max nets of N = nList[i] merged) show how well the nets learned the task.
     */
    public record Result(Settings settings, double[][] mean, double[][] std, Metrics reference,
            List<Metrics> merged, double seconds) {}

    /** Runs Algorithm 3 on {@code manager}'s device; {@code progress} receives the MFLD steps done so far. */
    public static Result run(NDManager manager, Settings s, LongConsumer progress) {
        long t0 = System.nanoTime();
        Dataset data = s.task().generate(s.seed());
        Neuron neuron = Neuron.paper(s.task().r);
        long[] done = {0};
        // h_∞: one net (M = 1) of N∞ neurons
        EnsembleSpec refSpec = new EnsembleSpec(1, s.nInf(), neuron, s.loss(), s.mfld(),
                Seeds.derive(s.seed(), REFERENCE_STREAM));
        double[] reference;
        Metrics refScore;
        try (NDManager sm = manager.newSubManager();
                EnsembleTraining.Result r = train(sm, data, refSpec, done, progress)) {
            reference = Evaluation.predict(neuron, r.particles().x(), r.test().z2())[0];
            refScore = r.report().merged();
        }
        int nn = s.nList().size();
        double[][] mean = new double[nn][];
        double[][] std = new double[nn][];
        List<Metrics> merged = new java.util.ArrayList<>();
        for (int i = 0; i < nn; i++) {
            int n = s.nList().get(i);
            EnsembleSpec spec = new EnsembleSpec(s.mMax(), n, neuron, s.loss(), s.mfld(),
                    Seeds.derive(s.seed(), ENSEMBLE_STREAM + n));
            double[][] outputs;
            try (NDManager sm = manager.newSubManager();
                    EnsembleTraining.Result r = train(sm, data, spec, done, progress)) {
                outputs = Evaluation.predict(neuron, r.particles().x(), r.test().z2());
                merged.add(r.report().merged());
            }
            Random rng = new Random(Seeds.derive(s.seed(), RESAMPLE_STREAM + n));
            SupnormResampling.Stats st = SupnormResampling.byM(outputs, reference, s.resamples(), rng);
            mean[i] = st.mean();
            std[i] = st.std();
        }
        return new Result(s, mean, std, refScore, merged, (System.nanoTime() - t0) / 1e9);
    }

    private static EnsembleTraining.Result train(NDManager sm, Dataset data, EnsembleSpec spec, long[] done,
            LongConsumer progress) {
        long base = done[0];
        EnsembleTraining.Result r = EnsembleTraining.run(sm, data, spec,
                (k, p) -> progress.accept(base + k));
        if (r.outcome().diverged()) {
            r.close();
            throw new PocmergeException("diverged at step " + r.outcome().divergedAt() + " (M=" + spec.members()
                    + ", N=" + spec.neurons() + "); try fewer --steps");
        }
        done[0] = base + spec.mfld().steps();
        progress.accept(done[0]);
        return r;
    }

    /** {@code from, from+step, …, ≤ to}. */
    public static List<Integer> range(int from, int to, int step) {
        java.util.ArrayList<Integer> out = new java.util.ArrayList<>();
        for (int v = from; v <= to; v += step) {
            out.add(v);
        }
        return out;
    }
}
