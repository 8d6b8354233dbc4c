package dev.pocmerge.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.io.Checkpoints;
import dev.pocmerge.io.Dtype;
import dev.pocmerge.io.Halfs;
import dev.pocmerge.io.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated checkpoints: HF layout, our tokenizer, dtypes, shards and loading errors. */
class TinyLlamaTest {
    @TempDir
    Path tmp;

    static TinyLlama.Options opts(Dtype dtype, int shards, boolean tie) {
        TinyLlama.Options d = TinyLlama.Options.defaults();
        return new TinyLlama.Options(7, d.hidden(), d.intermediate(), d.layers(), d.heads(), d.kvHeads(), 0, dtype,
                tie, "llama3", shards);
    }

    @Test
    void writesHuggingFaceLayout() {
        Path dir = tmp.resolve("m");
        TinyLlama.write(dir, opts(Dtype.BF16, 3, false));
        for (String f : new String[] {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                "model.safetensors.index.json", "model-00001-of-00003.safetensors", "model-00003-of-00003.safetensors"}) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        LlamaConfig c = LlamaCheckpoint.config(dir);
        assertEquals("llama3", c.ropeScaling().type());
        try (TensorSource s = Checkpoints.open(dir)) {
            assertEquals(c.parameterShapes().keySet().stream().toList(), s.names());
            assertEquals(Dtype.BF16, s.info(LlamaNames.EMBED).dtype());
        }
    }

    @Test
    void ourTokenizerRoundTripsAsciiAndUtf8() {
        Path dir = tmp.resolve("t");
        TinyLlama.write(dir, opts(Dtype.F32, 1, true));
        try (LlamaTokenizer t = LlamaTokenizer.load(dir)) {
            long[] hello = t.encode("Hello world");
            assertArrayEquals(new long[] {ByteLevelBpe.BOS, hello[1], hello[2]}, hello, "BOS + 2 merged tokens");
            for (String s : new String[] {"Hello world", " leading and  double  spaces ", "the cat and the hat\n\ttab",
                    "Grüße, naïve café — 日本語 🙂", "", "<s> looks special"}) {
                long[] ids = t.encode(s);
                assertEquals(ByteLevelBpe.BOS, ids[0]);
                for (long id : ids) {
                    assertTrue(id < ByteLevelBpe.vocabSize(), "id " + id);
                }
                String expected = s.replace("<s>", ""); // an added special token, skipped on decode as in HF
                assertEquals(expected, t.decode(ids), "round trip of '" + s + "'");
            }
            assertTrue(t.encode(" the the the").length == 4, "merges apply: ' the' is one token");
        }
    }

    @Test
    void bosFollowsTokenizerConfigElseThePostProcessor() throws Exception {
        Path dir = tmp.resolve("bos");
        TinyLlama.write(dir, opts(Dtype.F32, 1, true));
        Path cfg = dir.resolve("tokenizer_config.json");
        String text = Files.readString(cfg);
        Files.writeString(cfg, text.replace("\"add_bos_token\": true", "\"add_bos_token\": false"));
        try (LlamaTokenizer t = LlamaTokenizer.load(dir)) {
            assertTrue(t.encode("Hello world")[0] != ByteLevelBpe.BOS, "add_bos_token false: no BOS");
        }
        Files.delete(cfg); // Llama-3 style: no flag, tokenizer.json's TemplateProcessing adds it
        try (LlamaTokenizer t = LlamaTokenizer.load(dir)) {
            long[] ids = t.encode("Hello world");
            assertEquals(ByteLevelBpe.BOS, ids[0]);
            assertEquals(3, ids.length);
        }
    }

    @Test
    void bf16CheckpointEqualsRoundedF32Weights() {
        Engines.pytorch();
        Path f32 = tmp.resolve("f32");
        Path bf16 = tmp.resolve("bf16");
        LlamaConfig c = TinyLlama.write(f32, opts(Dtype.F32, 1, false));
        TinyLlama.write(bf16, opts(Dtype.BF16, 2, false));
        Map<String, float[]> rounded = new LinkedHashMap<>();
        try (TensorSource s = Checkpoints.open(f32)) {
            for (String n : s.names()) {
                float[] v = s.readFloats(n);
                for (int i = 0; i < v.length; i++) {
                    v[i] = Halfs.bf16ToFloat(Halfs.floatToBf16(v[i]));
                }
                rounded.put(n, v);
            }
        }
        long[] ids = TestModels.randomIds(9, c.vocabSize(), 1);
        float[][] expected;
        float[][] exact;
        try (LlamaModel m = new LlamaModel(LlamaWeights.load(c, MemoryTensorSource.of(c, rounded), Device.cpu(), "mem"))) {
            expected = TestModels.logits(m, TokenBatch.of(ids))[0];
        }
        try (LlamaModel m = LlamaCheckpoint.load(f32, Device.cpu())) {
            exact = TestModels.logits(m, TokenBatch.of(ids))[0];
        }
        try (LlamaModel m = LlamaCheckpoint.load(bf16, Device.cpu())) {
            float[][] got = TestModels.logits(m, TokenBatch.of(ids))[0];
            assertTrue(TestModels.maxAbsDiff(expected, got) < 1e-5, "bf16 file vs rounded f32 weights");
            assertTrue(TestModels.maxAbsDiff(exact, got) > 1e-4, "bf16 rounding should be visible");
        }
    }

    @Test
    void weightsThatDoNotMatchTheConfigAreOneLineErrors() throws Exception {
        Path dir = tmp.resolve("bad");
        TinyLlama.write(dir, opts(Dtype.F32, 1, false));
        String cfg = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), cfg.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3"));
        assertLoadError(dir, "missing tensor model.layers.2");
        Files.writeString(dir.resolve("config.json"), cfg.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 1"));
        assertLoadError(dir, "unexpected tensor model.layers.1");
        Files.writeString(dir.resolve("config.json"), cfg.replace("\"intermediate_size\": 128", "\"intermediate_size\": 96"));
        assertLoadError(dir, "gate_proj.weight has shape [128, 64], config.json implies [96, 64]");
    }

    /**
     * As in transformers, a tied config ignores a stored lm_head.weight and uses the embedding: the logits must be
     * the final hidden states times embed_tokensᵀ (float64, from the file's embedding), not times the stored
     * lm_head, and editing one embedding row must move exactly that logit column.
     */
    @Test
    void aTiedHeadIsTheEmbedding() throws Exception {
        Path dir = tmp.resolve("tied");
        TinyLlama.write(dir, opts(Dtype.F32, 1, false)); // untied: the folder holds a real lm_head.weight
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"tie_word_embeddings\": false",
                "\"tie_word_embeddings\": true"));
        LlamaConfig c = LlamaCheckpoint.config(dir);
        assertTrue(c.tieWordEmbeddings());
        Map<String, float[]> w = new LinkedHashMap<>();
        float[] storedHead;
        try (TensorSource s = Checkpoints.open(dir)) {
            storedHead = s.readFloats(LlamaNames.LM_HEAD);
            for (String n : s.names()) {
                if (!n.equals(LlamaNames.LM_HEAD)) {
                    w.put(n, s.readFloats(n));
                }
            }
        }
        int v = c.vocabSize();
        int h = c.hiddenSize();
        long[] ids = {1, 40, 41, 42, 43, 44};
        int edited = 200; // not among the ids, so the hidden states cannot change with its embedding row
        float[] embedding = w.get(LlamaNames.EMBED);
        float[][] hidden;
        float[][] logits;
        try (LlamaModel m = LlamaCheckpoint.load(dir, Device.cpu());
                ai.djl.ndarray.NDManager step = m.weights().manager().newSubManager()) {
            hidden = TestModels.unpack(m.hidden(step, TokenBatch.of(ids), null, LinearHook.NONE))[0];
            logits = TestModels.unpack(m.forward(step, TokenBatch.of(ids)))[0];
        }
        assertTrue(TestModels.maxAbsDiff(matmulT(hidden, embedding, v, h), logits) < 1e-4,
                "logits = hidden · embed_tokensᵀ");
        assertTrue(TestModels.maxAbsDiff(matmulT(hidden, storedHead, v, h), logits) > 1e-2,
                "the stored lm_head.weight must not be used");

        float[] changed = embedding.clone();
        for (int k = 0; k < h; k++) {
            changed[edited * h + k] = 0.25f * (k % 5 - 2);
        }
        w.put(LlamaNames.EMBED, changed);
        float[][] after;
        try (LlamaModel m = new LlamaModel(LlamaWeights.load(c, MemoryTensorSource.of(c, w), Device.cpu(), "mem"))) {
            after = TestModels.logits(m, TokenBatch.of(ids))[0];
        }
        float[][] want = matmulT(hidden, changed, v, h);
        for (int t = 0; t < ids.length; t++) {
            for (int j = 0; j < v; j++) {
                float expected = j == edited ? want[t][j] : logits[t][j];
                assertEquals(expected, after[t][j], 1e-4, "position " + t + ", logit " + j);
            }
            assertTrue(Math.abs(after[t][edited] - logits[t][edited]) > 1e-3, "the edited row moves its logit");
        }
    }

    /** (T, h) · (v, h)ᵀ in float64. */
    private static float[][] matmulT(float[][] x, float[] w, int v, int h) {
        float[][] out = new float[x.length][v];
        for (int t = 0; t < x.length; t++) {
            for (int j = 0; j < v; j++) {
                double sum = 0;
                for (int k = 0; k < h; k++) {
                    sum += (double) x[t][k] * w[j * h + k];
                }
                out[t][j] = (float) sum;
            }
        }
        return out;
    }

    private static void assertLoadError(Path dir, String what) {
        PocmergeException e = assertThrows(PocmergeException.class, () -> LlamaCheckpoint.load(dir, Device.cpu()).close());
        assertTrue(e.getMessage().contains(what), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
