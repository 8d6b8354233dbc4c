package dev.pocmerge.lora;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.Engines;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaWeights;
import dev.pocmerge.llama.MemoryTensorSource;
import dev.pocmerge.llama.RandomWeights;
import dev.pocmerge.llama.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Tiny bases, targets and batches for the LoRA tests. */
final class LoraFixtures {
    static final String ALL = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj";

    private LoraFixtures() {}

    /** GQA (6 heads over 2 kv heads), untied, llama3 rope, 2 layers. */
    static LlamaConfig gqa() {
        return TestModels.gqa();
    }

    static LlamaModel model(LlamaConfig c, long seed, DataType dtype) {
        Engines.pytorch();
        return new LlamaModel(LlamaWeights.load(c, MemoryTensorSource.of(c, RandomWeights.generate(c, seed)),
                Device.cpu(), "memory", dtype));
    }

    /** {@code rows} random examples of lengths in [minLen, maxLen], labels = ids with the first 2 ignored. */
    static List<TrainExample> examples(int rows, int minLen, int maxLen, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TrainExample> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            int n = minLen + r.nextInt(maxLen - minLen + 1);
            long[] ids = new long[n];
            long[] labels = new long[n];
            for (int j = 0; j < n; j++) {
                ids[j] = 1 + r.nextInt(vocab - 1);
                labels[j] = j < 2 ? MemberBatch.IGNORE : ids[j];
            }
            out.add(new TrainExample(ids, labels));
        }
        return out;
    }

    /** Slot s gets rows [s·b, (s+1)·b) of {@code all}. */
    static MemberBatch batch(List<TrainExample> all, int slots, int b) {
        List<List<TrainExample>> per = new ArrayList<>();
        for (int s = 0; s < slots; s++) {
            per.add(all.subList(s * b, (s + 1) * b));
        }
        return MemberBatch.of(per, 0);
    }
}
