package dev.pocmerge.meanfield;

import dev.pocmerge.core.PocmergeException;

/**
 * Hyper-parameters of one MFLD run. {@code lambda} is the entropy weight (noise temperature), {@code lambdaPrime}
 * the L2 weight, {@code batchSize} 0 for full batch.
 */
public record MfldConfig(double eta, double lambda, double lambdaPrime, int steps, Dynamics dynamics, double gamma,
        int batchSize) {

    public MfldConfig {
        if (!(eta > 0) || !Double.isFinite(eta)) {
            throw new PocmergeException("--eta: must be a finite number > 0, got " + eta);
        }
        if (!(lambda >= 0) || !Double.isFinite(lambda)) {
            throw new PocmergeException("--lambda: must be a finite number ≥ 0, got " + lambda);
        }
        if (!(lambdaPrime >= 0) || !Double.isFinite(lambdaPrime)) {
            throw new PocmergeException("--lambda-prime: must be a finite number ≥ 0, got " + lambdaPrime);
        }
        if (steps < 0) {
            throw new PocmergeException("--steps: must be ≥ 0, got " + steps);
        }
        if (dynamics == Dynamics.UNDERDAMPED && (!(gamma > 0) || gamma * eta >= 2)) {
            throw new PocmergeException("--gamma: must be > 0 with γ·η < 2 for underdamped dynamics, got " + gamma);
        }
        if (batchSize < 0) {
            throw new PocmergeException("--batch-size: must be ≥ 0 (0 = full batch), got " + batchSize);
        }
    }

    public MfldConfig withSteps(int s) {
        return new MfldConfig(eta, lambda, lambdaPrime, s, dynamics, gamma, batchSize);
    }

    /** Standard deviation of the injected Gaussian noise per coordinate and step. */
    public double noiseStd() {
        return dynamics == Dynamics.OVERDAMPED ? Math.sqrt(2 * lambda * eta) : Math.sqrt(2 * gamma * lambda * eta);
    }
}
