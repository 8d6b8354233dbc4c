package dev.pocmerge.eval;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import dev.pocmerge.llama.LlamaConfig;
import java.lang.management.MemoryUsage;

/**
 * The default {@code --batch-size}: 8 prompts on CPU; on a GPU as many as fit in about half of the free memory
 * (measured through CUDA when the evaluation starts), at an assumed 512 tokens per row with every slot's and every
 * beam's copy of the KV cache twice (beam reordering copies it) plus the prefill's scores and MLP activations.
 */
public final class BatchSizes {
    public static final int CPU_DEFAULT = 8;

    private BatchSizes() {}

    public static int choose(Device device, LlamaConfig c, int slots, int beams) {
        if (!device.isGpu()) {
            return CPU_DEFAULT;
        }
        try {
            MemoryUsage mem = CudaUtils.getGpuMemory(device);
            long free = mem.getMax() - mem.getCommitted();
            return fit(free, c, slots, beams);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return CPU_DEFAULT;
        }
    }

    static int fit(long freeBytes, LlamaConfig c, int slots, int beams) {
        long tokens = 512;
        long kvPerToken = 2L * c.numHiddenLayers() * c.numKeyValueHeads() * c.headDim() * 2; // float16 keys + values
        long perRow = 2 * kvPerToken * tokens
                + tokens * ((long) c.numAttentionHeads() * tokens * 4 + (long) c.intermediateSize() * 4 * 3);
        long rows = Math.max(1, freeBytes / 2 / Math.max(1, perRow));
        return (int) Math.max(1, Math.min(64, rows / Math.max(1, (long) slots * beams)));
    }
}
