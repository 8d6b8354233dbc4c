package dev.pocmerge.meanfield;

import static dev.pocmerge.core.Tensors.k;

import ai.djl.ndarray.NDArray;

/**
 * The mean-field network written plainly, the way the paper states it. This is the reference: the autograd
 * gradient and all evaluation go through here; {@link ClosedFormGradient} is the fast path pinned to it by tests.
 */
public final class MeanField {
    private MeanField() {}

    /**
     * {@code f_m(z) = (1/N)·Σ_i h(x_{m,i}, z)}, {@code h(x, z) = g(x_D)·tanh(w·z + b)} for X (M, N, D) and a
     * shared batch Z2 (n, D) or per-member batches (M, b, D). Returns (M, n).
     */
    public static NDArray forward(Neuron neuron, NDArray x, NDArray z2) {
        long n = x.getShape().get(1);
        NDArray zt = z2.getShape().dimension() == 2 ? z2.transpose() : z2.transpose(0, 2, 1);
        NDArray t = x.matMul(zt).tanh();                       // tanh(w_i·z_s + b_i)   (M, N, n)
        NDArray g = neuron.outer(x.get(":, :, -1"));           // g(x_D,i)              (M, N)
        return g.expandDims(1).batchMatMul(t).squeeze(1).div(k(g, n)); // (1/N) Σ_i g_i·tanh(...)
    }

    /**
     * Per-member objective {@code F(μ_m) = (1/n)·Σ_s ℓ(f_m(z_s), y_s) + λ′·(1/N)·Σ_i ‖x_{m,i}‖²} (Section 2.1,
     * with the L2 regulariser r(x) = λ′‖x‖²). Returns (M,).
     */
    public static NDArray objective(Neuron neuron, Loss loss, double lambdaPrime, NDArray x, Batch batch) {
        long n = x.getShape().get(1);
        NDArray f = forward(neuron, x, batch.z2());
        NDArray data = loss.value(f, batch.y()).mean(new int[] {1});
        NDArray l2 = x.square().sum(new int[] {1, 2}).mul(k(x, lambdaPrime / n));
        return data.add(l2);
    }
}
