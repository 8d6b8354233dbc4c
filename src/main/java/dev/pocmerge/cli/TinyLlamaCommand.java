package dev.pocmerge.cli;

import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.io.Dtype;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.TinyLlama;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pocmerge tiny-llama --out DIR}: a small random Llama checkpoint in Hugging Face layout. */
@Command(name = "tiny-llama", mixinStandardHelpOptions = true,
        description = "Write a small random Llama checkpoint (HF layout, our own byte-level BPE tokenizer).")
public final class TinyLlamaCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common = new CommonOptions();

    @Option(names = "--hidden", defaultValue = "64", description = "hidden_size (default: ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--intermediate", defaultValue = "128", description = "intermediate_size (default: ${DEFAULT-VALUE})")
    int intermediate;

    @Option(names = "--layers", defaultValue = "2", description = "num_hidden_layers (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "num_attention_heads (default: ${DEFAULT-VALUE})")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "2", description = "num_key_value_heads (default: ${DEFAULT-VALUE})")
    int kvHeads;

    @Option(names = "--vocab", defaultValue = "0", description = "vocab_size, at least the tokenizer's (default: the tokenizer's)")
    int vocab;

    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16|f16|f32 (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--tie", description = "tie_word_embeddings (no lm_head.weight)")
    boolean tie;

    @Option(names = "--rope-scaling", description = "llama3 (Llama-3.1's rope scaling, rope_theta 500000)")
    String ropeScaling;

    @Option(names = "--shards", defaultValue = "1", description = "safetensors shards (default: ${DEFAULT-VALUE})")
    int shards;

    @Override
    public Integer call() {
        if (common.folder.out == null) {
            throw new PocmergeException("tiny-llama: --out DIR is required");
        }
        Dtype d = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "bf16", "bfloat16" -> Dtype.BF16;
            case "f16", "fp16", "float16" -> Dtype.F16;
            case "f32", "fp32", "float32" -> Dtype.F32;
            default -> throw new PocmergeException("--dtype '" + dtype + "': use bf16, f16 or f32");
        };
        TinyLlama.Options o = new TinyLlama.Options(common.seed, hidden, intermediate, layers, heads, kvHeads, vocab, d,
                tie, ropeScaling, shards);
        TinyLlama.check(o); // sizes before the folder exists
        LlamaConfig c = TinyLlama.write(common.runDir("tiny-llama"), o);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("out", common.folder.out.toString());
        r.put("parameters", c.parameterCount());
        r.put("vocab_size", c.vocabSize());
        r.put("dtype", d.name());
        r.put("shards", shards);
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(r));
        } else {
            System.out.printf("wrote %s: %,d parameters, vocab %d, %s, %d shard(s)%n", common.folder.out, c.parameterCount(),
                    c.vocabSize(), d, shards);
        }
        return 0;
    }
}
