package dev.pocmerge.meanfield;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The ensemble job: put the data on the device, initialise the trained members' particles, train them all with
 * one batched MFLD step per iteration, then score every member and the PoC-merged network; optionally also the
 * merged network pruned to s neurons and, against a reference net f∞ trained alongside, every network's
 * distance to the mean-field limit.
 */
public final class EnsembleTraining {
    private EnsembleTraining() {}

    /**
     * What to add to the plain job. {@code referenceNeurons}: N∞ of the reference net, 0 for none;
     * {@code pruneTo}: neurons the pruned merged net keeps, 0 for no pruning.
     */
    public record Options(int referenceNeurons, int pruneTo) {
        public static final Options NONE = new Options(0, 0);

        public Options {
            if (referenceNeurons < 0) {
                throw new PocmergeException("--reference: must be ≥ 0 (0 skips the reference), got " + referenceNeurons);
            }
            if (pruneTo < 0) {
                throw new PocmergeException("--prune: must be > 0, got " + pruneTo);
            }
        }
    }

    /** Each network's distance to f∞ on the test points; {@code pruned} is null when nothing was pruned. */
    public record Closeness(List<ReferenceDistance> members, ReferenceDistance merged, ReferenceDistance pruned) {}

    /**
     * The outcome: scores, how the run ended, and the final particles (caller closes them). {@code pruned},
     * {@code reference} and {@code closeness} are null when not asked for (closeness also when the reference
     * diverged); the reference is not trained when the ensemble diverged.
     */
    public record Result(Evaluation.Report report, MfldTrainer.Outcome outcome, Particles particles,
            Batch train, Batch test, Evaluation.Pruned pruned, Reference reference, Closeness closeness)
            implements AutoCloseable {
        @Override
        public void close() {
            particles.close();
        }
    }

    /** Trains on {@code manager} (whose device is used); the result's arrays live under it. */
    public static Result run(NDManager manager, Dataset data, EnsembleSpec spec, MfldTrainer.Listener listener) {
        DataType dtype = DataType.FLOAT32;
        Batch train = Batch.of(manager, data.zTrain(), data.yTrain(), data.d(), dtype);
        Batch test = Batch.of(manager, data.zTest(), data.yTest(), data.d(), dtype);
        Particles p = Particles.gaussian(manager, spec.trained(), spec.neurons(), data.d(), spec.seed(), dtype);
        GradientPath grad = new ClosedFormGradient(spec.neuron(), spec.loss(), spec.mfld().lambdaPrime());
        MfldTrainer.Outcome outcome = new MfldTrainer(grad, spec.mfld()).train(p, train, spec.seed(), listener);
        Evaluation.Report report = Evaluation.evaluate(spec.neuron(), p.x(), train, test, data.yTrain(),
                data.yTest(), data.isClassification());
        return new Result(report, outcome, p, train, test, null, null, null);
    }

    /**
     * The whole job: the ensemble, then (unless it diverged) the reference net, then pruning and distances.
     * {@code progress} receives the MFLD steps done so far over both trainings ({@link #totalSteps}).
     */
    public static Result run(NDManager manager, Dataset data, EnsembleSpec spec, Options options,
            IntConsumer progress) {
        if (options.referenceNeurons() > 0) {
            Reference.check(options.referenceNeurons(), data.d() + 2);
        }
        int steps = spec.mfld().steps();
        Result r = run(manager, data, spec, (k, p) -> progress.accept(k));
        try {
            Evaluation.Pruned pruned = options.pruneTo() > 0 ? Evaluation.pruned(spec.neuron(), r.particles().x(),
                    options.pruneTo(), spec.seed(), r.train(), r.test(), data.yTrain(), data.yTest(),
                    data.isClassification()) : null;
            if (options.referenceNeurons() == 0 || r.outcome().diverged()) {
                return new Result(r.report(), r.outcome(), r.particles(), r.train(), r.test(), pruned, null, null);
            }
            Reference ref = Reference.train(manager, data, spec, options.referenceNeurons(),
                    (k, p) -> progress.accept(steps + k));
            Closeness closeness = ref.outcome().diverged() ? null : closeness(spec.neuron(), r, pruned, ref);
            return new Result(r.report(), r.outcome(), r.particles(), r.train(), r.test(), pruned, ref, closeness);
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /** MFLD steps {@link #run(NDManager, Dataset, EnsembleSpec, Options, IntConsumer)} takes, for progress bars. */
    public static int totalSteps(EnsembleSpec spec, Options options) {
        return spec.mfld().steps() * (options.referenceNeurons() > 0 ? 2 : 1);
    }

    private static Closeness closeness(Neuron neuron, Result r, Evaluation.Pruned pruned, Reference ref) {
        double[][] f = Evaluation.predict(neuron, r.particles().x(), r.test().z2());
        List<ReferenceDistance> members = new ArrayList<>();
        for (double[] row : f) {
            members.add(ReferenceDistance.of(row, ref.testOutput()));
        }
        ReferenceDistance merged = ReferenceDistance.of(Evaluation.mergedOutput(f), ref.testOutput());
        ReferenceDistance p = pruned == null ? null : ReferenceDistance.of(pruned.testOutput(), ref.testOutput());
        return new Closeness(members, merged, p);
    }

    /** A manager on {@code device}. */
    public static NDManager manager(Device device) {
        return NDManager.newBaseManager(device);
    }
}
