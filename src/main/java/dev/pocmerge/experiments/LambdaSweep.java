package dev.pocmerge.experiments;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Seeds;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import dev.pocmerge.meanfield.Batch;
import dev.pocmerge.meanfield.ClosedFormGradient;
import dev.pocmerge.meanfield.Dynamics;
import dev.pocmerge.meanfield.Evaluation;
import dev.pocmerge.meanfield.Metrics;
import dev.pocmerge.meanfield.Loss;
import dev.pocmerge.meanfield.MfldConfig;
import dev.pocmerge.meanfield.MfldTrainer;
import dev.pocmerge.meanfield.Neuron;
import dev.pocmerge.meanfield.Particles;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Appendix B.2 (Figure 2, Table 2): on multi-index regression, train M nets of N neurons for a few epochs with
 * each entropy weight λ; record the members' averaged test ln MSE after every epoch and the test MSE of the
 * PoC merge of all M nets at the end.
 *
 * <p>An epoch is one pass over the training set: with full batch (the default, {@code batchSize} 0) that is one
 * MFLD step, the literal reading of "noisy gradient descent for T epochs"; with minibatches of b it is
 * ⌊n_train/b⌋ steps, each member drawing its own minibatches without replacement.
 */
public final class LambdaSweep {
    static final long ENSEMBLE_STREAM = 0x1A4B0000L;

    private LambdaSweep() {}

    public record Settings(List<Double> lambdas, List<Integer> nList, int members, int epochs, int batchSize,
            double eta, double lambdaPrime, double r, long seed) {
        public Settings {
            lambdas = List.copyOf(lambdas);
            nList = List.copyOf(nList);
            if (lambdas.isEmpty()) {
                throw new PocmergeException("--lambdas: give at least one λ, e.g. --lambdas 0.1,0.01");
            }
            for (double l : lambdas) {
                if (!(l >= 0) || !Double.isFinite(l)) {
                    throw new PocmergeException("--lambdas: every λ must be a finite number ≥ 0, got " + l);
                }
            }
            if (nList.isEmpty()) {
                throw new PocmergeException("--n-list: give at least one N, e.g. --n-list 300,400");
            }
            for (int n : nList) {
                if (n <= 0) {
                    throw new PocmergeException("--n-list: every N must be > 0, got " + n);
                }
            }
            if (members <= 0) {
                throw new PocmergeException("--M: number of networks must be > 0, got " + members);
            }
            if (epochs <= 0) {
                throw new PocmergeException("--epochs: must be > 0, got " + epochs);
            }
            if (batchSize < 0) {
                throw new PocmergeException("--batch-size: must be ≥ 0 (0 = full batch), got " + batchSize);
            }
        }

        /** B.2: λ ∈ {1e-1, …, 1e-4}, N ∈ {300, …, 800}, 20 nets, 5 epochs, η=0.01, λ′=0.1, R=10, full batch. */
        public static Settings paper(long seed) {
            return new Settings(List.of(1e-1, 1e-2, 1e-3, 1e-4), Supnorm.range(300, 800, 100), 20, 5, 0,
                    Task.MULTIINDEX.eta, Task.MULTIINDEX.lambdaPrime, Task.MULTIINDEX.r, seed);
        }

        /** Every λ, two small widths, 8 nets. */
        public static Settings quick(long seed) {
            Settings p = paper(seed);
            return new Settings(p.lambdas(), List.of(100, 200), 8, p.epochs(), p.batchSize(), p.eta(),
                    p.lambdaPrime(), p.r(), seed);
        }

        /** MFLD steps per epoch on {@code nTrain} examples. */
        public int stepsPerEpoch(int nTrain) {
            // the sampler's epoch: ⌊n/b⌋ minibatches of one shuffle (MinibatchSampler)
            return batchSize == 0 || batchSize >= nTrain ? 1 : nTrain / batchSize;
        }

        MfldConfig mfld(double lambda, int nTrain) {
            return new MfldConfig(eta, lambda, lambdaPrime, epochs * stepsPerEpoch(nTrain), Dynamics.OVERDAMPED,
                    1.0, batchSize >= nTrain ? 0 : batchSize);
        }
    }

    /**
     * One (λ, N) cell. {@code memberLnMse[e]}: mean over the M nets of ln(test MSE) after epoch e (e = 0 is the
     * initialisation); {@code mergedMse[e]}: test MSE of the merge of all M nets after epoch e.
     */
    public record Cell(double lambda, int n, double[] memberLnMse, double[] mergedMse, double mergedTrainMse) {
        /** Table 2's entry: test MSE of the merged net after the last epoch. */
        public double mergedTestMse() {
            return mergedMse[mergedMse.length - 1];
        }
    }

    public record Result(Settings settings, int stepsPerEpoch, int nTrain, double testVariance, List<Cell> cells,
            double seconds) {
        public Cell cell(double lambda, int n) {
            for (Cell c : cells) {
                if (c.lambda() == lambda && c.n() == n) {
                    return c;
                }
            }
            throw new IllegalArgumentException("no cell λ=" + lambda + " N=" + n);
        }
    }

    public static long totalSteps(Settings s, int nTrain) {
        return (long) s.lambdas().size() * s.nList().size() * s.epochs() * s.stepsPerEpoch(nTrain);
    }

    /**
     * Runs the sweep. All cells train on the same data; cells with the same N share their initial particles and
     * noise seed across λ (paired comparison), distinct N use distinct derived seeds.
     */
    public static Result run(NDManager manager, Dataset data, Settings s, LongConsumer progress) {
        long t0 = System.nanoTime();
        Neuron neuron = Neuron.paper(s.r());
        int spe = s.stepsPerEpoch(data.nTrain());
        List<Cell> cells = new ArrayList<>();
        long done = 0;
        for (double lambda : s.lambdas()) {
            for (int n : s.nList()) {
                long base = done;
                cells.add(cell(manager, data, neuron, s, lambda, n, spe, k -> progress.accept(base + k)));
                done += (long) s.epochs() * spe;
                progress.accept(done);
            }
        }
        return new Result(s, spe, data.nTrain(), variance(data.yTest()), cells, (System.nanoTime() - t0) / 1e9);
    }

    private static Cell cell(NDManager manager, Dataset data, Neuron neuron, Settings s, double lambda, int n,
            int spe, java.util.function.IntConsumer progress) {
        long seed = Seeds.derive(s.seed(), ENSEMBLE_STREAM + n);
        MfldConfig cfg = s.mfld(lambda, data.nTrain());
        double[] lnMse = new double[s.epochs() + 1];
        double[] merged = new double[s.epochs() + 1];
        try (NDManager sm = manager.newSubManager()) {
            Batch train = Batch.of(sm, data.zTrain(), data.yTrain(), data.d(), DataType.FLOAT32);
            Batch test = Batch.of(sm, data.zTest(), data.yTest(), data.d(), DataType.FLOAT32);
            // the same initialisation EnsembleTraining uses: member m from Seeds.derive(seed, m)
            try (Particles p = Particles.gaussian(sm, s.members(), n, data.d(), seed, DataType.FLOAT32)) {
                score(neuron, p, test, data.yTest(), lnMse, merged, 0);
                MfldTrainer.Listener listener = (k, q) -> {
                    progress.accept(k);
                    if (k % spe == 0) {
                        score(neuron, q, test, data.yTest(), lnMse, merged, k / spe);
                    }
                };
                MfldTrainer.Outcome out = new MfldTrainer(new ClosedFormGradient(neuron, Loss.SQUARED,
                        cfg.lambdaPrime()), cfg).train(p, train, seed, listener);
                if (out.diverged()) {
                    throw new PocmergeException("diverged at step " + out.divergedAt() + " (λ=" + lambda + ", N="
                            + n + "); try a smaller --eta");
                }
                double[] fTrain = Evaluation.mergedOutput(Evaluation.predict(neuron, p.x(), train.z2()));
                return new Cell(lambda, n, lnMse, merged, mse(fTrain, data.yTrain()));
            }
        }
    }

    /** Fills epoch {@code e}: members' mean ln MSE and the merged net's MSE on the test set. */
    private static void score(Neuron neuron, Particles p, Batch test, float[] y, double[] lnMse, double[] merged,
            int e) {
        double[][] f = Evaluation.predict(neuron, p.x(), test.z2());
        double sum = 0;
        for (double[] row : f) {
            sum += Math.log(mse(row, y));
        }
        lnMse[e] = sum / f.length;
        merged[e] = mse(Evaluation.mergedOutput(f), y);
    }

    static double mse(double[] f, float[] y) {
        return Metrics.score(f, y, false)[0];
    }

    static double variance(float[] y) {
        double mu = 0;
        for (float v : y) {
            mu += v;
        }
        mu /= y.length;
        double s = 0;
        for (float v : y) {
            s += (v - mu) * (v - mu);
        }
        return s / y.length;
    }
}
