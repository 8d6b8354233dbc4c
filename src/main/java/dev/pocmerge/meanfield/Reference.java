package dev.pocmerge.meanfield;

import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Seeds;
import dev.pocmerge.data.Dataset;

/**
 * The reference network f∞: one network of N∞ neurons trained with the ensemble's own neuron, loss and MFLD
 * settings, standing in for the mean-field limit μ* (Algorithm 3's h_∞). Theorem 4.7 bounds the distance of the
 * M·N-neuron PoC merge to the limit by Õ(sqrt(1/(M·N)) + …), below a single N-neuron member's; comparing each
 * network with f∞ on the test points shows that gap on every run. Its seed is derived from (seed, STREAM) alone,
 * so every piece of a split ensemble trains the same reference.
 *
 * @param particles the trained (N∞·D) particles, row-major, for saving beside the members
 */
public record Reference(int neurons, int dim, long seed, MfldTrainer.Outcome outcome, Metrics metrics,
        double[] testOutput, float[] particles) {
    /** The same stream as {@code supnorm}'s reference, so both commands train the same f∞ for a seed. */
    public static final long STREAM = 0x5EF0L;

    /** Default N∞ for the built-in tasks (the paper's, Appendix B.1). */
    public static final int DEFAULT_NEURONS = 10000;

    /** The one-member ensemble that is the reference of {@code ensemble}. */
    public static EnsembleSpec spec(EnsembleSpec ensemble, int neurons) {
        return new EnsembleSpec(1, neurons, ensemble.neuron(), ensemble.loss(), ensemble.mfld(),
                Seeds.derive(ensemble.seed(), STREAM));
    }

    /** Refuses an N∞ that cannot be trained, before anything else is (the ensemble trains first). */
    public static void check(int neurons, int dim) {
        if (neurons <= 0) {
            throw new PocmergeException("--reference: N∞ must be > 0 (or 0 to skip the reference), got " + neurons);
        }
        long size = (long) neurons * dim;
        if (size > Integer.MAX_VALUE) {
            throw new PocmergeException("--reference: N∞ × D = " + size + " parameters is too many for one tensor");
        }
    }

    /** Trains f∞ on {@code manager}'s device; arrays are freed before returning (the result is host data). */
    public static Reference train(NDManager manager, Dataset data, EnsembleSpec ensemble, int neurons,
            MfldTrainer.Listener listener) {
        check(neurons, data.d() + 2);
        EnsembleSpec spec = spec(ensemble, neurons);
        try (NDManager sm = manager.newSubManager(); EnsembleTraining.Result r = EnsembleTraining.run(sm, data, spec,
                listener)) {
            double[] test = Evaluation.predict(spec.neuron(), r.particles().x(), r.test().z2())[0];
            return new Reference(neurons, data.d() + 2, spec.seed(), r.outcome(), r.report().merged(), test,
                    r.particles().x().toFloatArray());
        }
    }
}
