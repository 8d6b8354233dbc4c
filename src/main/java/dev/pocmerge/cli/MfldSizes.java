package dev.pocmerge.cli;

import ai.djl.Device;
import dev.pocmerge.core.MemoryBudget;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.meanfield.EnsembleSpec;

/**
 * Whether a mean-field run fits, from its sizes, before anything is allocated: the particles (M, N, D) go through
 * one Java array (an int count), and a step holds a few (M, rows, N) float32 activations, rows being the minibatch
 * or, when scoring, every training and test point.
 */
final class MfldSizes {
    /** Live copies of the particles in a step: x, gradient, noise, update, velocity (underdamped), the merge. */
    static final int PARTICLE_COPIES = 6;

    /** Live (M, rows, N) arrays in a step: pre-activation, activation, its derivative, the loss' weights. */
    static final int ACTIVATION_COPIES = 6;

    private MfldSizes() {}

    /** Bytes of training {@code members} nets of {@code neurons} on {@code ds} (float32). */
    static long bytes(long members, long neurons, Dataset ds) {
        long rows = Math.max(ds.nTrain(), ds.nTest());
        long particles = MemoryBudget.times(PARTICLE_COPIES, members, neurons, ds.d() + 2L);
        long activations = MemoryBudget.times(ACTIVATION_COPIES, members, neurons, rows);
        return MemoryBudget.times(4, MemoryBudget.plus(particles, activations));
    }

    /** Refuses an ensemble (and its reference of {@code nInf} neurons, 0 for none) that cannot be held. */
    static void check(Device device, EnsembleSpec spec, Dataset ds, int nInf) {
        String fix = "use a smaller --M or --N, or train a part of the ensemble with --members";
        check(device, spec.trained().length, spec.neurons(), ds, "--M " + spec.members() + " × --N " + spec.neurons(),
                fix);
        if (nInf > 0) {
            check(device, 1, nInf, ds, "--reference " + nInf, "use a smaller --reference, or --reference 0");
        }
    }

    /** Refuses {@code members} nets of {@code neurons} trained at once on {@code ds}; {@code what} names the flags. */
    static void check(Device device, long members, long neurons, Dataset ds, String what, String fix) {
        long params = MemoryBudget.times(members, neurons, ds.d() + 2L);
        if (params > Integer.MAX_VALUE) {
            throw new PocmergeException(what + " × D " + (ds.d() + 2) + " = " + params + " parameters: above the "
                    + Integer.MAX_VALUE + " one tensor can hold here; " + fix);
        }
        MemoryBudget.require(device, bytes(members, neurons, ds), what + " on " + ds.nTrain() + "+" + ds.nTest()
                + " points", fix);
    }
}
