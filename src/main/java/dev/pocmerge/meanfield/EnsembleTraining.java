package dev.pocmerge.meanfield;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.data.Dataset;

/**
 * The ensemble job: put the data on the device, initialise M·N particles, train them all with one batched MFLD
 * step per iteration, then score every member and the PoC-merged network.
 */
public final class EnsembleTraining {
    private EnsembleTraining() {}

    /** The outcome: scores, how the run ended, and the final particles (caller closes them). */
    public record Result(Evaluation.Report report, MfldTrainer.Outcome outcome, Particles particles,
            Batch train, Batch test) implements AutoCloseable {
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
        return new Result(report, outcome, p, train, test);
    }

    /** A manager on {@code device}. */
    public static NDManager manager(Device device) {
        return NDManager.newBaseManager(device);
    }
}
