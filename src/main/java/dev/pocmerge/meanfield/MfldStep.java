package dev.pocmerge.meanfield;

import static dev.pocmerge.core.Tensors.k;

import ai.djl.ndarray.NDArray;

/** One MFLD update of all M·N particles at once, given the already scaled noise {@code σ·ξ}. */
public final class MfldStep {
    private final GradientPath gradient;
    private final MfldConfig cfg;

    public MfldStep(GradientPath gradient, MfldConfig cfg) {
        this.gradient = gradient;
        this.cfg = cfg;
    }

    /** New state; {@code v} is null for overdamped dynamics. */
    public record State(NDArray x, NDArray v) implements AutoCloseable {
        @Override
        public void close() {
            x.close();
            if (v != null) {
                v.close();
            }
        }
    }

    public State apply(NDArray x, NDArray v, Batch batch, NDArray scaledNoise) {
        double eta = cfg.eta();
        double lp = gradient.lambdaPrime();
        NDArray step = gradient.scaledDataGradient(x, batch, -eta); // −η·(data part of ∇(δF/δμ)(x_i))
        if (cfg.dynamics() == Dynamics.OVERDAMPED) {
            // eq. (3): x ← x − η·∇(δF/δμ)(x) + sqrt(2λη)·ξ, with the L2 part −η·2λ′x folded into x's factor
            NDArray nx = step.addi(lp == 0 ? x : x.mul(k(x, 1 - 2 * eta * lp)));
            if (scaledNoise != null) {
                nx.addi(scaledNoise);
            }
            return new State(nx, null);
        }
        // kinetic: v ← (1−γη)·v − η·∇(δF/δμ)(x) + sqrt(2γλη)·ξ ;  x ← x + η·v
        NDArray nv = step.addi(v.mul(k(x, 1 - cfg.gamma() * eta)));
        if (lp != 0) {
            nv.addi(x.mul(k(x, -2 * eta * lp)));
        }
        if (scaledNoise != null) {
            nv.addi(scaledNoise);
        }
        NDArray nx = nv.mul(k(x, eta)).addi(x);
        return new State(nx, nv);
    }
}
