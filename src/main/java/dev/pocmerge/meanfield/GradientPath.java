package dev.pocmerge.meanfield;

import ai.djl.ndarray.NDArray;

/**
 * The mean-field gradient {@code ∇(δF/δμ)(x_i) = N·∇_{x_i} F} for all M·N particles at once: X (M, N, D) →
 * (M, N, D). Members are independent, so the gradient of Σ_m F_m with respect to x_{m,i} is that of F_m.
 */
public interface GradientPath {
    NDArray meanFieldGradient(NDArray x, Batch batch);
}
