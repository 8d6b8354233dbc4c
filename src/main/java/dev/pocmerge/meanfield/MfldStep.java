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
    public record State(NDArray x, NDArray v) {}

    public State apply(NDArray x, NDArray v, Batch batch, NDArray scaledNoise) {
        NDArray g = gradient.meanFieldGradient(x, batch);        // ∇(δF/δμ)(x_i), (M, N, D)
        if (cfg.dynamics() == Dynamics.OVERDAMPED) {
            // eq. (3): x ← x − η·∇(δF/δμ)(x) + sqrt(2λη)·ξ
            NDArray nx = g.muli(k(x, -cfg.eta())).addi(x);
            if (scaledNoise != null) {
                nx.addi(scaledNoise);
            }
            return new State(nx, null);
        }
        // kinetic: v ← (1−γη)·v − η·∇(δF/δμ)(x) + sqrt(2γλη)·ξ ;  x ← x + η·v
        NDArray nv = g.muli(k(x, -cfg.eta())).addi(v.mul(k(x, 1 - cfg.gamma() * cfg.eta())));
        if (scaledNoise != null) {
            nv.addi(scaledNoise);
        }
        NDArray nx = nv.mul(k(x, cfg.eta())).addi(x);
        return new State(nx, nv);
    }

    public MfldConfig config() {
        return cfg;
    }
}
