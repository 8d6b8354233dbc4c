package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;

/**
 * A bias-free {@code nn.Linear} with a frozen, shared weight: {@code y = x·Wᵀ}, then the hook. The HF weight
 * (out, in) is kept as a contiguous Wᵀ (in, out): on this CPU, {@code F.linear} and matmul against a transposed
 * view of W go through a multi-threaded path that stalls for milliseconds on small inputs when cores are busy,
 * while matmul against a contiguous Wᵀ costs microseconds (measured: 7 ms vs 20 µs for 1×64·64×128). The weight
 * may be float16 (CUDA); activations keep their dtype (float32, or float64 for gradient checks) on both sides, so hooks and residuals never see half precision.
 */
public final class FrozenLinear {
    private final String module;
    private final int layer;
    private final NDArray weightT; // (in, out), contiguous, owned by LlamaWeights

    /** {@code weightT} is Wᵀ (in, out), contiguous (see {@link LlamaWeights}). */
    public FrozenLinear(String module, int layer, NDArray weightT) {
        this.module = module;
        this.layer = layer;
        this.weightT = weightT;
    }

    /** A contiguous row-major copy of Wᵀ for an HF weight W (out, in), in W's manager. */
    public static NDArray transposeContiguous(NDArray weight) {
        long out = weight.getShape().get(0);
        long in = weight.getShape().get(1);
        // flatten() cannot view a transposed array, so it copies into row-major (in, out) memory. Close the
        // transposed view (it would keep W's storage alive) and the flat handle (the reshaped view holds it).
        NDArray view = weight.transpose();
        NDArray flat = view.flatten();
        view.close();
        NDArray t = flat.reshape(in, out);
        flat.close();
        return t;
    }

    public NDArray forward(NDArray x, LinearHook hook) {
        DataType act = x.getDataType();
        NDArray y;
        if (weightT.getDataType() == act) {
            y = x.matMul(weightT); // x·Wᵀ; the result belongs to x's (per-step) manager
        } else if (JniUtils.isGradMode()) {
            // DJL's toType cuts the autograd graph (its result has no grad_fn, measured): under a gradient
            // collector, keep x in its dtype and upcast the frozen weight instead, so gradients reach the LoRA
            // factors below; the base still sits in memory in float16
            NDArray w = weightT.toType(act, false);
            w.attach(x.getManager());
            y = x.matMul(w);
        } else {
            y = x.toType(weightT.getDataType(), false).matMul(weightT).toType(act, false);
        }
        return hook.adjust(module, layer, x, y);
    }

    public String module() {
        return module;
    }

    public int layer() {
        return layer;
    }

    /** Wᵀ, (in, out). */
    public NDArray weightTransposed() {
        return weightT;
    }
}
