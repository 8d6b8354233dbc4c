package dev.pocmerge.lora;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaWeights;
import dev.pocmerge.llama.MemoryTensorSource;
import dev.pocmerge.llama.RandomWeights;

/**
 * A frozen base of {@link RandomWeights} loaded straight from memory (benchmarks, memory measurements): no
 * checkpoint on disk, the same LlamaWeights layout a real model gets.
 */
public final class RandomBase {
    private RandomBase() {}

    /** A model of random weights for {@code c}, linear weights in {@code linear} (FLOAT32 or FLOAT16). */
    public static LlamaModel model(LlamaConfig c, long seed, Device device, DataType linear) {
        return new LlamaModel(LlamaWeights.load(c, MemoryTensorSource.of(c, RandomWeights.generate(c, seed)), device,
                "random base", linear));
    }
}
