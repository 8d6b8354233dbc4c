package dev.pocmerge.experiments.dynamics;

import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import dev.pocmerge.meanfield.Batch;
import dev.pocmerge.meanfield.Dynamics;
import dev.pocmerge.meanfield.EnsembleSpec;
import dev.pocmerge.meanfield.EnsembleTraining;
import dev.pocmerge.meanfield.Evaluation;
import dev.pocmerge.meanfield.Loss;
import dev.pocmerge.meanfield.MfldConfig;
import dev.pocmerge.meanfield.Neuron;
import dev.pocmerge.meanfield.Particles;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Overdamped vs underdamped MFLD (the seed report's Figure 17): on each task, the same members (same
 * initialisation and noise streams) trained with overdamped dynamics, eq. (3), and with the kinetic dynamics at
 * each friction γ of a small grid, all at the task's η and λ; the objective and the test error recorded along
 * the way.
 */
public final class DynamicsComparison {
    private DynamicsComparison() {}

    /** One task's run: T steps, recorded every {@code every} steps. */
    public record TaskRun(Task task, int steps, int every) {}

    public record Settings(List<TaskRun> tasks, List<Double> gammas, int members, int neurons, long seed) {
        public Settings {
            tasks = List.copyOf(tasks);
            gammas = List.copyOf(gammas);
            if (members <= 0 || neurons <= 0) {
                throw new PocmergeException("--M and --N must be > 0, got " + members + " and " + neurons);
            }
            for (TaskRun t : tasks) {
                for (double g : gammas) {
                    if (!(g > 0) || g * t.task().eta >= 2) {
                        throw new PocmergeException("--gammas: every γ must be > 0 with γ·η < 2 (η = " + t.task().eta
                                + " on " + t.task().id() + "), got " + g);
                    }
                }
                if (t.steps() <= 0 || t.every() <= 0) {
                    throw new PocmergeException("--steps: must be > 0, got " + t.steps());
                }
            }
        }

        /** Circles T=200 (t = ηT = 20), multi-index T=1500 (t = 15); γ ∈ {0.5, 2, 8}; 4 nets of 100 neurons. */
        public static Settings standard(long seed) {
            return new Settings(List.of(new TaskRun(Task.CIRCLES, 200, 2), new TaskRun(Task.MULTIINDEX, 1500, 10)),
                    List.of(0.5, 2.0, 8.0), 4, 100, seed);
        }

        public long totalSteps() {
            return tasks.stream().mapToLong(t -> (long) t.steps() * (1 + gammas.size())).sum();
        }
    }

    /**
     * One dynamics on one task: {@code gamma} NaN for overdamped; per recorded step the members' mean objective
     * F = (1/n)Σℓ + λ′·(1/N)Σ‖x‖² (without the entropy, which particles do not give) and test error
     * (misclassification for circles, MSE for multi-index).
     */
    public record Curve(Task task, double gamma, int[] steps, double[] objective, double[] testError) {
        public String label() {
            return Double.isNaN(gamma) ? "overdamped" : "underdamped γ=" + gamma;
        }
    }

    public record Result(Settings settings, List<Curve> curves, double seconds) {}

    public static Result run(NDManager manager, Settings s, IntConsumer progress) {
        long t0 = System.nanoTime();
        List<Curve> curves = new ArrayList<>();
        long[] done = {0};
        for (TaskRun t : s.tasks()) {
            Dataset data = t.task().generate(s.seed());
            List<Double> gs = new ArrayList<>();
            gs.add(Double.NaN);
            gs.addAll(s.gammas());
            for (double g : gs) {
                long base = done[0];
                curves.add(curve(manager, data, t, g, s, k -> progress.accept((int) (base + k))));
                done[0] += t.steps();
            }
        }
        return new Result(s, curves, (System.nanoTime() - t0) / 1e9);
    }

    static Curve curve(NDManager manager, Dataset data, TaskRun t, double gamma, Settings s, IntConsumer progress) {
        Task task = t.task();
        boolean over = Double.isNaN(gamma);
        MfldConfig cfg = new MfldConfig(task.eta, task.lambda, task.lambdaPrime, t.steps(),
                over ? Dynamics.OVERDAMPED : Dynamics.UNDERDAMPED, over ? 0 : gamma, 0);
        Loss loss = data.isClassification() ? Loss.LOGISTIC : Loss.SQUARED;
        Neuron neuron = Neuron.paper(task.r);
        EnsembleSpec spec = new EnsembleSpec(s.members(), s.neurons(), neuron, loss, cfg, s.seed());
        int records = t.steps() / t.every() + 1;
        int[] steps = new int[records];
        double[] obj = new double[records];
        double[] err = new double[records];
        int[] at = {0};
        try (NDManager sm = manager.newSubManager()) {
            Batch train = Batch.of(sm, data.zTrain(), data.yTrain(), data.d(), ai.djl.ndarray.types.DataType.FLOAT32);
            Batch test = Batch.of(sm, data.zTest(), data.yTest(), data.d(), ai.djl.ndarray.types.DataType.FLOAT32);
            MeasureStep measure = (k, p) -> {
                steps[at[0]] = k;
                double[] m = measure(neuron, loss, task.lambdaPrime, p, train, test, data);
                obj[at[0]] = m[0];
                err[at[0]] = m[1];
                at[0]++;
            };
            try (EnsembleTraining.Result r = EnsembleTraining.run(sm, data, spec, (k, p) -> {
                if (k == 1) {
                    // the start, before any step, is not seen by the listener: record it from a fresh init
                    try (Particles init = Particles.gaussian(sm, s.members(), s.neurons(), data.d(), s.seed(),
                            ai.djl.ndarray.types.DataType.FLOAT32)) {
                        measure.at(0, init);
                    }
                }
                if (k % t.every() == 0) {
                    measure.at(k, p);
                }
                progress.accept(k);
            })) {
                if (r.outcome().diverged()) {
                    throw new PocmergeException(task.id() + ", " + (over ? "overdamped" : "γ=" + gamma)
                            + ": diverged at step " + r.outcome().divergedAt());
                }
            }
        }
        return new Curve(task, gamma, java.util.Arrays.copyOf(steps, at[0]), java.util.Arrays.copyOf(obj, at[0]),
                java.util.Arrays.copyOf(err, at[0]));
    }

    @FunctionalInterface
    private interface MeasureStep {
        void at(int step, Particles p);
    }

    /** Members' mean objective (data loss + L2, as trained) and mean test error. */
    static double[] measure(Neuron neuron, Loss loss, double lambdaPrime, Particles p, Batch train, Batch test,
            Dataset data) {
        double[][] ftr = Evaluation.predict(neuron, p.x(), train.z2());
        double[][] fte = Evaluation.predict(neuron, p.x(), test.z2());
        double[] x = Tensors.toDoubles(p.x());
        int m = ftr.length;
        double l2 = 0;
        for (double v : x) {
            l2 += v * v;
        }
        double obj = lambdaPrime * l2 / ((double) m * p.neurons()); // λ′·(1/N)Σ‖x‖², averaged over members
        double err = 0;
        for (int j = 0; j < m; j++) {
            double d = 0;
            for (int i = 0; i < ftr[j].length; i++) {
                d += loss.value(ftr[j][i], data.yTrain()[i]);
            }
            obj += d / ftr[j].length / m;
            double e = 0;
            for (int i = 0; i < fte[j].length; i++) {
                double f = fte[j][i];
                double y = data.yTest()[i];
                e += data.isClassification() ? ((f >= 0) == (y >= 0) ? 0 : 1) : (f - y) * (f - y);
            }
            err += e / fte[j].length / m;
        }
        return new double[] {obj, err};
    }
}
