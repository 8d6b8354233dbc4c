package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * A bias-free {@code nn.Linear} with a frozen, shared weight (out, in): {@code y = x·Wᵀ}, then the hook. The
 * weight may be float16 (CUDA); activations stay float32 on both sides, so hooks and residuals never see half
 * precision.
 */
public final class FrozenLinear {
    private final String module;
    private final int layer;
    private final NDArray weight;

    public FrozenLinear(String module, int layer, NDArray weight) {
        this.module = module;
        this.layer = layer;
        this.weight = weight;
    }

    public NDArray forward(NDArray x, LinearHook hook) {
        NDArray in = weight.getDataType() == DataType.FLOAT32 ? x : x.toType(weight.getDataType(), false);
        // torch.nn.functional.linear(x, W) = x·Wᵀ; the result belongs to x's (per-step) manager
        NDArray y = in.getNDArrayInternal().linear(in, weight, null).singletonOrThrow();
        if (y.getDataType() != DataType.FLOAT32) {
            y = y.toType(DataType.FLOAT32, false);
        }
        return hook.adjust(module, layer, x, y);
    }

    public String module() {
        return module;
    }

    public int layer() {
        return layer;
    }

    public NDArray weight() {
        return weight;
    }
}
