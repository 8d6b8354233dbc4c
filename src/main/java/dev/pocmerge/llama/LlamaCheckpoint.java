package dev.pocmerge.llama;

import ai.djl.Device;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.io.Checkpoints;
import dev.pocmerge.io.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A Hugging Face Llama model folder as downloaded: config, weights (single or sharded), generation config. */
public final class LlamaCheckpoint {
    private LlamaCheckpoint() {}

    public static LlamaConfig config(Path dir) {
        requireFolder(dir);
        return LlamaConfig.load(dir.resolve("config.json"));
    }

    /** Loads the weights once onto {@code device} (float32 on CPU, float16 on CUDA). */
    public static LlamaModel load(Path dir, Device device) {
        LlamaConfig c = config(dir);
        try (TensorSource source = Checkpoints.open(dir)) {
            return new LlamaModel(LlamaWeights.load(c, source, device, dir.toString()));
        }
    }

    /**
     * EOS ids for generation: {@code generation_config.json}'s {@code eos_token_id} when present (instruct
     * models list several there), else config.json's.
     */
    public static List<Integer> eosIds(Path dir, LlamaConfig c) {
        Path gen = dir.resolve("generation_config.json");
        if (Files.isRegularFile(gen)) {
            JsonElement e = Json.read(gen);
            if (e.isJsonObject()) {
                JsonObject o = e.getAsJsonObject();
                if (o.has("eos_token_id") && !o.get("eos_token_id").isJsonNull()) {
                    return LlamaConfig.tokenIds(o, "eos_token_id", 0, gen.toString());
                }
            }
        }
        return c.eosTokenIds();
    }

    private static void requireFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new PocmergeException(dir + ": model folder not found");
        }
    }
}
