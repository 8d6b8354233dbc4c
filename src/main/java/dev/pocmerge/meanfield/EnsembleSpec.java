package dev.pocmerge.meanfield;

import dev.pocmerge.core.PocmergeException;

/** What to train: M networks of N neurons, which neuron and loss, and the MFLD settings. */
public record EnsembleSpec(int members, int neurons, Neuron neuron, Loss loss, MfldConfig mfld, long seed) {
    public EnsembleSpec {
        if (members <= 0) {
            throw new PocmergeException("--M: number of networks must be > 0, got " + members);
        }
        if (neurons <= 0) {
            throw new PocmergeException("--N: neurons per network must be > 0, got " + neurons);
        }
    }
}
