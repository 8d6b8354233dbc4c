package dev.pocmerge.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pocmerge.core.PocmergeException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model cards' config.json files in models/, defaults, and one-line errors naming file and field. */
class LlamaConfigTest {
    @Test
    void llama2_7b() {
        LlamaConfig c = LlamaConfig.load(Path.of("models/llama-2-7b/config.json"));
        assertEquals(6_738_415_616L, c.parameterCount()); // "6.74 B"
        assertEquals(32, c.numKeyValueHeads());            // default = heads (MHA)
        assertEquals(128, c.headDim());                    // default = hidden / heads
        assertEquals(10000.0, c.ropeTheta());              // default
        assertNull(c.ropeScaling());
        assertEquals(List.of(1), c.bosTokenIds());
        assertEquals(List.of(2), c.eosTokenIds());
    }

    @Test
    void llama3_8b() {
        LlamaConfig c = LlamaConfig.load(Path.of("models/llama-3-8b"));
        assertEquals(8_030_261_248L, c.parameterCount()); // "8.03 B"
        assertEquals(8, c.numKeyValueHeads());
        assertEquals(4, c.kvGroups());
        assertEquals(500000.0, c.ropeTheta());
        long[] k = c.parameterShapes().get("model.layers.0.self_attn.k_proj.weight");
        assertEquals(1024, k[0]);
    }

    @Test
    void llama31_8bScalesLowFrequenciesOnly() {
        LlamaConfig c = LlamaConfig.load(Path.of("models/llama-3.1-8b"));
        assertEquals(8_030_261_248L, c.parameterCount());
        RopeScaling s = c.ropeScaling();
        assertTrue(s.isLlama3());
        assertEquals(8.0, s.factor());
        assertEquals(8192, s.originalMaxPositionEmbeddings());
        double[] f = Rope.inverseFrequencies(c);
        double[] plain = Rope.inverseFrequencies(LlamaConfig.load(Path.of("models/llama-3-8b")));
        assertEquals(plain[0], f[0], 0);                           // wavelength 2π < 2048: unchanged
        assertEquals(plain[63] / 8, f[63], 1e-18);                 // wavelength > 8192: divided by 8
        int medium = 0;
        for (int i = 0; i < 64; i++) {
            double wl = 2 * Math.PI / plain[i];
            if (wl >= 2048 && wl <= 8192) {
                medium++;
                assertTrue(f[i] < plain[i] && f[i] > plain[i] / 8, "band " + i);
            }
        }
        assertTrue(medium > 0);
    }

    @Test
    void eosMayBeAListAndTypeMayBeTheOldKey() {
        JsonObject o = tiny();
        o.add("eos_token_id", JsonParser.parseString("[128001, 128008, 128009]"));
        o.add("rope_scaling", JsonParser.parseString("{\"type\": \"linear\", \"factor\": 2.0}"));
        LlamaConfig c = LlamaConfig.fromJson(o, "x/config.json");
        assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
        assertEquals("linear", c.ropeScaling().type());
        // round trip through toJson
        assertEquals(c, LlamaConfig.fromJson(c.toJson(), "again"));
    }

    @Test
    void errorsAreOneLineNamingFileAndField() {
        JsonObject missing = tiny();
        missing.remove("hidden_size");
        assertError(missing, "hidden_size");
        JsonObject gpt2 = tiny();
        gpt2.addProperty("model_type", "gpt2");
        assertError(gpt2, "model_type");
        JsonObject noType = tiny();
        noType.remove("model_type");
        assertError(noType, "model_type");
        JsonObject dynamic = tiny();
        dynamic.add("rope_scaling", JsonParser.parseString("{\"rope_type\": \"dynamic\", \"factor\": 2.0}"));
        assertError(dynamic, "rope_type");
        JsonObject llama3 = tiny();
        llama3.add("rope_scaling", JsonParser.parseString("{\"rope_type\": \"llama3\", \"factor\": 8.0}"));
        assertError(llama3, "low_freq_factor");
        JsonObject frac = tiny();
        frac.addProperty("num_hidden_layers", 2.5);
        assertError(frac, "num_hidden_layers");
        JsonObject gqa = tiny();
        gqa.addProperty("num_key_value_heads", 3);
        assertError(gqa, "num_key_value_heads");
        JsonObject odd = tiny();
        odd.addProperty("head_dim", 5);
        assertError(odd, "head_dim");
        JsonObject eos = tiny();
        eos.addProperty("eos_token_id", "</s>");
        assertError(eos, "eos_token_id");
    }

    private static void assertError(JsonObject o, String field) {
        PocmergeException e = assertThrows(PocmergeException.class, () -> LlamaConfig.fromJson(o, "m/config.json"));
        assertTrue(e.getMessage().startsWith("m/config.json"), e.getMessage());
        String msg = e.getMessage();
        assertTrue(msg.contains(field), msg);
        assertFalse(msg.contains("\n"), msg);
    }

    static JsonObject tiny() {
        return JsonParser.parseString("{\"model_type\": \"llama\", \"hidden_size\": 16, \"intermediate_size\": 32,"
                + " \"num_hidden_layers\": 1, \"num_attention_heads\": 4, \"vocab_size\": 10,"
                + " \"rms_norm_eps\": 1e-6}").getAsJsonObject();
    }
}
