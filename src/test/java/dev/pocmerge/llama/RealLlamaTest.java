package dev.pocmerge.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.Devices;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * A real Hugging Face Llama folder (Llama-2-7B, Llama-3-8B, Llama-3.1-8B as downloaded), when
 * {@code POCMERGE_LLAMA_DIR} names one; skipped otherwise. {@code POCMERGE_DEVICE} picks the device (default
 * auto: CUDA when visible, frozen weights in float16). Run: {@code POCMERGE_LLAMA_DIR=/models/Llama-2-7b-hf
 * mvn -B test -Dtest=RealLlamaTest} (needs about 2×13.5 GB of host memory on the way to the GPU, 27 GB on CPU).
 */
@EnabledIfEnvironmentVariable(named = "POCMERGE_LLAMA_DIR", matches = ".+")
class RealLlamaTest {
    @Test
    void greedyContinuationKnowsParis() {
        Path dir = Path.of(System.getenv("POCMERGE_LLAMA_DIR"));
        String dev = System.getenv().getOrDefault("POCMERGE_DEVICE", "auto");
        Device device = Devices.resolve(dev);
        LlamaConfig c = LlamaCheckpoint.config(dir);
        try (LlamaTokenizer tok = LlamaTokenizer.load(dir); LlamaModel m = LlamaCheckpoint.load(dir, device)) {
            long[] ids = tok.encode("The capital of France is");
            assertEquals(c.bosTokenIds().get(0).longValue(), ids[0], "BOS as config.json says");
            try (NDManager step = m.weights().manager().newSubManager()) {
                NDArray logits = m.forward(step, TokenBatch.of(ids));
                assertEquals(c.vocabSize(), logits.getShape().get(2));
                assertTrue(logits.isNaN().logicalOr(logits.isInfinite()).none().getBoolean(), "finite logits");
            }
            long[] out = new GreedyGenerator(m, LlamaCheckpoint.eosIds(dir, c)).generate(List.of(ids), 8, true)
                    .get(0);
            String text = tok.decode(out);
            System.out.println("RealLlamaTest " + dir + " on " + Devices.describe(device) + ": '" + text + "'");
            assertTrue(text.contains("Paris"), text);
        }
    }
}
