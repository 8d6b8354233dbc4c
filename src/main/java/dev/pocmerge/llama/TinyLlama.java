package dev.pocmerge.llama;

import com.google.gson.JsonObject;
import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.MemoryBudget;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.io.Dtype;
import dev.pocmerge.io.SafetensorsWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a random Llama checkpoint in exact Hugging Face layout: config.json, model.safetensors (or shards and
 * the index), generation_config.json, tokenizer_config.json, special_tokens_map.json and our own byte-level
 * tokenizer.json. Same options and seed, same bytes.
 */
public final class TinyLlama {
    /** What {@code pocmerge tiny-llama} takes; {@code vocab} 0 means the tokenizer's size. */
    public record Options(long seed, int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab,
            Dtype dtype, boolean tie, String ropeScaling, int shards) {
        public static Options defaults() {
            return new Options(0, 64, 128, 2, 4, 2, 0, Dtype.BF16, false, null, 1);
        }
    }

    private TinyLlama() {}

    public static LlamaConfig config(Options o) {
        if (o.hidden() < 1 || o.heads() < 1) {
            throw new PocmergeException("--hidden " + o.hidden() + " and --heads " + o.heads() + " must be ≥ 1");
        }
        if (o.hidden() % o.heads() != 0) {
            throw new PocmergeException("--hidden " + o.hidden() + " must be a multiple of --heads " + o.heads());
        }
        if (o.kvHeads() < 1 || o.heads() % o.kvHeads() != 0) {
            throw new PocmergeException("--kv-heads " + o.kvHeads() + " must divide --heads " + o.heads());
        }
        if ((o.hidden() / o.heads()) % 2 != 0) {
            throw new PocmergeException("--hidden / --heads = " + o.hidden() / o.heads() + " must be even (rotary)");
        }
        if (o.layers() < 1 || o.intermediate() < 1) {
            throw new PocmergeException("--layers " + o.layers() + " and --intermediate " + o.intermediate()
                    + " must be ≥ 1");
        }
        int vocab = o.vocab() == 0 ? ByteLevelBpe.vocabSize() : o.vocab();
        if (vocab < ByteLevelBpe.vocabSize()) {
            throw new PocmergeException("--vocab " + vocab + " is smaller than the tokenizer (" + ByteLevelBpe.vocabSize()
                    + " tokens)");
        }
        RopeScaling scaling = null;
        double theta = 10000;
        int maxPositions = 2048;
        if (o.ropeScaling() != null) {
            if (!o.ropeScaling().equals("llama3")) {
                throw new PocmergeException("--rope-scaling '" + o.ropeScaling() + "': only llama3 is offered");
            }
            scaling = RopeScaling.llama3(8, 1, 4, 8192); // Llama-3.1's values
            theta = 500000;
            maxPositions = 131072;
        }
        return new LlamaConfig(o.hidden(), o.intermediate(), o.layers(), o.heads(), o.kvHeads(),
                o.hidden() / o.heads(), 1e-5, theta, scaling, vocab, o.tie(), maxPositions,
                List.of(ByteLevelBpe.BOS), List.of(ByteLevelBpe.EOS));
    }

    /** Writes the folder and returns its config. */
    public static LlamaConfig write(Path out, Options o) {
        LlamaConfig c = check(o);
        Map<String, long[]> shapes = c.parameterShapes();
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt"); // as transformers writes it
        RandomWeights.generate(c, o.seed()).forEach((name, values) -> w.add(name, o.dtype(), shapes.get(name), values));
        w.writeSharded(out, o.shards());

        JsonObject config = c.toJson();
        config.addProperty("torch_dtype", o.dtype() == Dtype.F32 ? "float32" : o.dtype() == Dtype.F16 ? "float16"
                : "bfloat16");
        Json.writeAtomic(out.resolve("config.json"), config);
        JsonObject gen = new JsonObject();
        gen.addProperty("_from_model_config", true);
        gen.addProperty("bos_token_id", ByteLevelBpe.BOS);
        gen.addProperty("eos_token_id", ByteLevelBpe.EOS);
        Json.writeAtomic(out.resolve("generation_config.json"), gen);
        Json.writeAtomic(out.resolve("tokenizer_config.json"), tokenizerConfig(c));
        JsonObject special = new JsonObject();
        special.addProperty("bos_token", "<s>");
        special.addProperty("eos_token", "</s>");
        special.addProperty("unk_token", "<unk>");
        Json.writeAtomic(out.resolve("special_tokens_map.json"), special);
        Json.writeAtomic(out.resolve("tokenizer.json"), ByteLevelBpe.tokenizerJson());
        return c;
    }

    /** The config {@code o} makes, once its dtype, shards and size are checked (before any folder is made). */
    public static LlamaConfig check(Options o) {
        if (o.dtype() != Dtype.F32 && o.dtype() != Dtype.BF16 && o.dtype() != Dtype.F16) {
            throw new PocmergeException("--dtype " + o.dtype() + ": use bf16, f16 or f32");
        }
        LlamaConfig c = config(o);
        Map<String, long[]> shapes = c.parameterShapes();
        if (o.shards() < 1 || o.shards() > shapes.size()) {
            throw new PocmergeException("--shards " + o.shards() + ": between 1 and " + shapes.size() + " tensors");
        }
        checkSize(c, shapes, o);
        return c;
    }

    private static JsonObject tokenizerConfig(LlamaConfig c) {
        JsonObject t = new JsonObject();
        t.addProperty("add_bos_token", true);
        t.addProperty("add_eos_token", false);
        t.addProperty("bos_token", "<s>");
        t.addProperty("eos_token", "</s>");
        t.addProperty("unk_token", "<unk>");
        t.add("pad_token", com.google.gson.JsonNull.INSTANCE);
        t.addProperty("clean_up_tokenization_spaces", false);
        t.addProperty("model_max_length", c.maxPositionEmbeddings());
        t.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        return t;
    }

    /** Every tensor is one Java array, and all of them are held at once (float32 and their encoded bytes). */
    private static void checkSize(LlamaConfig c, Map<String, long[]> shapes, Options o) {
        String flags = "--hidden " + o.hidden() + ", --intermediate " + o.intermediate() + ", --layers " + o.layers();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long n = MemoryBudget.times(e.getValue());
            if (n > Integer.MAX_VALUE) {
                throw new PocmergeException(flags + ": " + e.getKey() + " would have " + n + " values, above the "
                        + Integer.MAX_VALUE + " of one array; use a smaller --hidden or --intermediate");
            }
        }
        long bytes = MemoryBudget.times(c.parameterCount(), 4 + o.dtype().bytes);
        MemoryBudget.require(null, bytes, flags + " (" + c.parameterCount() + " parameters)",
                "use a smaller --hidden, --intermediate or --layers");
    }
}
