package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;

/**
 * Adjusts the output of one frozen projection ({@code q_proj} ... {@code down_proj}) of one layer. This is where
 * LoRA attaches: {@code baseOutput + scale · x·Aᵀ·Bᵀ} (PEFT {@code tuners/lora/layer.py}, {@code Linear.forward}),
 * with M adapters over M·b rows. {@code input} and {@code baseOutput} are float32, shaped (rows, T, in) and
 * (rows, T, out); the leading axis is whatever the caller batched (b, or M·b).
 */
@FunctionalInterface
public interface LinearHook {
    LinearHook NONE = (module, layer, input, baseOutput) -> baseOutput;

    NDArray adjust(String module, int layer, NDArray input, NDArray baseOutput);
}
