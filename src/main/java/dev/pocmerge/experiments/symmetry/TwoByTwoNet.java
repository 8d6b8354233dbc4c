package dev.pocmerge.experiments.symmetry;

import ai.djl.ndarray.NDArray;

/**
 * The poster's mean-field model on X = Y = R², Z = R^{2×2}: {@code f_μ(x) = (1/N)·Σ_i σ(z_i·x)}, σ the logistic
 * sigmoid applied to each of the two coordinates. Particles are an (N, 2, 2) array, inputs the columns of a
 * (2, n) array. Written once plainly, batched over all particles and samples (two GEMMs).
 */
public final class TwoByTwoNet {
    private TwoByTwoNet() {}

    /** σ(z_i·x_s) for every particle and sample: (N, 2, n). */
    static NDArray activations(NDArray z, NDArray x) {
        long n = z.getShape().get(0);
        NDArray a = z.reshape(2 * n, 2).matMul(x);             // rows (i, out): z_i[out, :]·x_s
        return a.getNDArrayInternal().sigmoid().reshape(n, 2, x.getShape().get(1));
    }

    /** f_μ(x) for every column of x: (2, n). */
    public static NDArray forward(NDArray z, NDArray x) {
        return activations(z, x).mean(new int[] {0});
    }

    /**
     * ∇_z (δL/δμ)(z_i) for every particle, given the per-sample output weights {@code w} (2, n) =
     * ∂L/∂f(x_s): for L = (1/n)Σ_s ½‖f(x_s) − y_s‖², w_s = (f(x_s) − y_s)/n and
     * ∇_z(δL/δμ)(z) = Σ_s (w_s ⊙ σ′(z·x_s))·x_sᵀ. Reuses the activations {@code s} of {@link #activations}.
     */
    static NDArray meanFieldGradient(NDArray s, NDArray x, NDArray w) {
        long n = s.getShape().get(0);
        NDArray sp = s.sub(s.square());                         // σ′ = σ(1 − σ)
        NDArray g = sp.mul(w.expandDims(0));                    // (N, 2, n)
        return g.reshape(2 * n, x.getShape().get(1)).matMul(x.transpose()).reshape(n, 2, 2);
    }

    /** ½·mean_s ‖f(x_s) − y_s‖². */
    public static double loss(NDArray z, NDArray x, NDArray y) {
        NDArray d = forward(z, x).sub(y);
        return 0.5 * dev.pocmerge.core.Tensors.toDoubles(d.square().sum())[0] / x.getShape().get(1);
    }
}
