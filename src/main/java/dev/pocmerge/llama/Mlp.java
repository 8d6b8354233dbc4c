package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;

/** HF {@code LlamaMLP}: {@code down_proj(silu(gate_proj(x)) · up_proj(x))}, silu(a) = a·σ(a). */
final class Mlp {
    private final FrozenLinear gate;
    private final FrozenLinear up;
    private final FrozenLinear down;

    Mlp(int layer, LlamaWeights w) {
        this.gate = w.linear(layer, "gate_proj");
        this.up = w.linear(layer, "up_proj");
        this.down = w.linear(layer, "down_proj");
    }

    NDArray forward(NDArray x, LinearHook hook) {
        NDArray g = gate.forward(x, hook);
        NDArray silu = g.mul(g.getNDArrayInternal().sigmoid());
        return down.forward(silu.mul(up.forward(x, hook)), hook);
    }
}
