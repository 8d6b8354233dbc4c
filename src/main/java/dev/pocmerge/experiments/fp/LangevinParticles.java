package dev.pocmerge.experiments.fp;

import java.util.SplittableRandom;

/**
 * N independent particles of dX = −V′(X)dt + sqrt(2λ)dW by Euler–Maruyama, X ← X − V′(X)·Δt + sqrt(2λΔt)·ξ.
 * One dimension and no interaction, so plain Java arrays: no tensors needed.
 */
public final class LangevinParticles {
    private final Potential potential;
    private final double lambda;
    private final double[] x;
    private final SplittableRandom rng;

    /** Particles drawn from N(mean, std²), all randomness from {@code seed}. */
    public LangevinParticles(Potential potential, double lambda, int n, double mean, double std, long seed) {
        this.potential = potential;
        this.lambda = lambda;
        this.rng = new SplittableRandom(seed);
        this.x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = mean + std * rng.nextGaussian();
        }
    }

    public void step(double dt) {
        double s = Math.sqrt(2 * lambda * dt);
        for (int i = 0; i < x.length; i++) {
            x[i] += -potential.dv(x[i]) * dt + s * rng.nextGaussian();
        }
    }

    /** Positions, sorted ascending (a copy). */
    public double[] sorted() {
        double[] s = x.clone();
        java.util.Arrays.sort(s);
        return s;
    }
}
