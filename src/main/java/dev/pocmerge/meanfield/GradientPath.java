package dev.pocmerge.meanfield;

import static dev.pocmerge.core.Tensors.k;

import ai.djl.ndarray.NDArray;

/**
 * The mean-field gradient {@code ∇(δF/δμ)(x_i) = N·∇_{x_i}F} for all M·N particles at once: X (M, N, D) →
 * (M, N, D). Members are independent, so the gradient of Σ_m F_m with respect to x_{m,i} is that of F_m.
 * Implementations compute the data term; the L2 term's part, {@code 2λ′x}, is added here or folded into the
 * step's update by {@link MfldStep} (one pass fewer over the particles).
 */
public interface GradientPath {
    /** {@code scale · N·∇_{x_i} (1/n)·Σ_s ℓ(f(z_s), y_s)}: the data term, times a scale the caller folds in. */
    NDArray scaledDataGradient(NDArray x, Batch batch, double scale);

    /** λ′ of the L2 term λ′·(1/N)·Σ_i ‖x_i‖². */
    double lambdaPrime();

    /** The whole mean-field gradient, data term plus {@code 2λ′x}. */
    default NDArray meanFieldGradient(NDArray x, Batch batch) {
        NDArray g = scaledDataGradient(x, batch, 1.0);
        return lambdaPrime() == 0 ? g : g.addi(x.mul(k(x, 2 * lambdaPrime())));
    }
}
