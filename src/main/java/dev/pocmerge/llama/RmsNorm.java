package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;

/** HF {@code LlamaRMSNorm}: {@code w · x / sqrt(mean(x²) + ε)}, computed in float32. */
public final class RmsNorm {
    private final NDArray weight; // float32 (hidden)
    private final NDArray eps;    // 0-d float32, so no Number-argument op (DESIGN.md, speed facts)

    public RmsNorm(NDArray weight, NDArray eps) {
        this.weight = weight;
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        // variance = x.pow(2).mean(-1, keepdim=True); x * torch.rsqrt(variance + eps); weight * x
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add(eps).sqrt()).mul(weight);
    }
}
