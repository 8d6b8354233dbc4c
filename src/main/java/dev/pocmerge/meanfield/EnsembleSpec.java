package dev.pocmerge.meanfield;

import dev.pocmerge.core.PocmergeException;
import java.util.Arrays;

/**
 * What to train: an ensemble of {@code members} networks of N neurons, which neuron and loss, the MFLD settings,
 * and which of its members this process trains ({@code trained}: sorted global indices in 0..members−1; all of
 * them unless {@code --members} says otherwise).
 */
public record EnsembleSpec(int members, int neurons, Neuron neuron, Loss loss, MfldConfig mfld, long seed,
        int[] trained) {
    public EnsembleSpec {
        if (members <= 0) {
            throw new PocmergeException("--M: number of networks must be > 0, got " + members);
        }
        if (neurons <= 0) {
            throw new PocmergeException("--N: neurons per network must be > 0, got " + neurons);
        }
        trained = trained == null ? all(members) : trained.clone();
        if (trained.length == 0) {
            throw new PocmergeException("--members: no member to train");
        }
        for (int i = 0; i < trained.length; i++) {
            if (trained[i] < 0 || trained[i] >= members || (i > 0 && trained[i] <= trained[i - 1])) {
                throw new IllegalArgumentException("trained members must be sorted, unique and in 0.."
                        + (members - 1) + ": " + Arrays.toString(trained));
            }
        }
    }

    /** All {@code members} members. */
    public EnsembleSpec(int members, int neurons, Neuron neuron, Loss loss, MfldConfig mfld, long seed) {
        this(members, neurons, neuron, loss, mfld, seed, null);
    }

    @Override
    public int[] trained() {
        return trained.clone();
    }

    /** The same ensemble, training only {@code ids}. */
    public EnsembleSpec withTrained(int[] ids) {
        return new EnsembleSpec(members, neurons, neuron, loss, mfld, seed, ids);
    }

    /** True when this process trains every member. */
    public boolean complete() {
        return trained.length == members;
    }

    private static int[] all(int m) {
        int[] out = new int[m];
        Arrays.setAll(out, i -> i);
        return out;
    }
}
