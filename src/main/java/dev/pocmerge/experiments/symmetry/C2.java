package dev.pocmerge.experiments.symmetry;

import static dev.pocmerge.core.Tensors.k;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/**
 * The group G = C₂ = {I, P}, P the swap of the two coordinates, acting naturally: on X = Y = R² by x ↦ Px, on a
 * neuron's parameter z ∈ Z = R^{2×2} by conjugation z ↦ PzP⁻¹ = PzP. A neuron σ(z·x) with σ pointwise is then
 * equivariant: σ(PzP·Px) = σ(Pzx) = P·σ(zx), since a pointwise σ commutes with permutations. The fixed-point
 * space E^G = {z : PzP = z} = {[[a, b], [b, a]]} is two-dimensional.
 */
public final class C2 {
    private C2() {}

    /** Px for inputs or outputs stored as columns of a (2, n) array. */
    public static NDArray act(NDArray columns) {
        return columns.flip(0);
    }

    /** PzP for parameters (N, 2, 2): swapping both rows and columns. */
    public static NDArray conjugate(NDArray z) {
        return z.flip(1, 2);
    }

    /** The orthogonal projection onto E^G, P_E z = (z + PzP)/2 (the group average over G). */
    public static NDArray projectE(NDArray z) {
        return z.add(conjugate(z)).mul(k(z, 0.5));
    }

    /**
     * The symmetrisation operator on models, {@code (Q_G f)(x) = (1/|G|)·Σ_g g⁻¹·f(g·x) = ½(f(x) + P·f(Px))}
     * (feature averaging); f maps (2, n) inputs to (2, n) outputs.
     */
    public static UnaryOperator<NDArray> symmetrise(UnaryOperator<NDArray> f) {
        return x -> f.apply(x).add(act(f.apply(act(x)))).mul(k(x, 0.5));
    }
}
