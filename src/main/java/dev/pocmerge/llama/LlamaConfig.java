package dev.pocmerge.llama;

import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face Llama {@code config.json} (transformers' {@code LlamaConfig}), validated. Defaults are HF's:
 * num_key_value_heads = heads, head_dim = hidden/heads, rope_theta = 10000, no rope scaling, untied, 2048
 * positions, bos 1, eos 2.
 */
public record LlamaConfig(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
        int numKeyValueHeads, int headDim, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
        int vocabSize, boolean tieWordEmbeddings, int maxPositionEmbeddings, List<Integer> bosTokenIds,
        List<Integer> eosTokenIds) {

    public LlamaConfig {
        bosTokenIds = List.copyOf(bosTokenIds);
        eosTokenIds = List.copyOf(eosTokenIds);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new PocmergeException("config: num_attention_heads " + numAttentionHeads
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        if (headDim % 2 != 0) {
            throw new PocmergeException("config: head_dim " + headDim + " must be even (rotary embeddings)");
        }
    }

    /**
     * Refuses a sequence longer than {@code max_position_embeddings}: past it the rotary positions are ones the
     * model never saw, and a long enough prompt overflows the attention mask's size. {@code what} names the
     * sequence with its length ("a prompt of 40 tokens"), {@code fix} says what the user can change.
     */
    public void checkLength(long tokens, String what, String fix) {
        if (tokens > maxPositionEmbeddings) {
            throw new PocmergeException(what + " is longer than max_position_embeddings "
                    + maxPositionEmbeddings + " (config.json): " + fix);
        }
    }

    /** Reads {@code dir/config.json} or the file itself. */
    public static LlamaConfig load(Path path) {
        Path file = path.toFile().isDirectory() ? path.resolve("config.json") : path;
        JsonElement root = Json.read(file);
        if (!root.isJsonObject()) {
            throw new PocmergeException(file + ": not a JSON object");
        }
        return fromJson(root.getAsJsonObject(), file.toString());
    }

    public static LlamaConfig fromJson(JsonObject o, String source) {
        Fields f = new Fields(o, source);
        String modelType = f.string("model_type", null);
        if (!"llama".equals(modelType)) {
            throw new PocmergeException(source + ": model_type is '" + modelType + "', expected 'llama'");
        }
        String act = f.string("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new PocmergeException(source + ": hidden_act '" + act + "' is not supported (Llama uses silu)");
        }
        for (String bias : new String[] {"attention_bias", "mlp_bias"}) {
            if (f.bool(bias, false)) {
                throw new PocmergeException(source + ": " + bias + " = true is not supported (Llama has no biases)");
            }
        }
        int hidden = f.positiveInt("hidden_size", null);
        int heads = f.positiveInt("num_attention_heads", null);
        Integer headDimDefault = hidden % heads == 0 ? hidden / heads : null;
        int kvHeads = f.positiveInt("num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw f.bad("num_key_value_heads", "(" + kvHeads + ") must divide num_attention_heads (" + heads + ")");
        }
        if (f.positiveInt("head_dim", headDimDefault) % 2 != 0) {
            throw f.bad("head_dim", "must be even (rotary embeddings rotate pairs)");
        }
        return new LlamaConfig(hidden,
                f.positiveInt("intermediate_size", null),
                f.positiveInt("num_hidden_layers", null),
                heads,
                kvHeads,
                f.positiveInt("head_dim", headDimDefault),
                f.positiveDouble("rms_norm_eps", null),
                f.positiveDouble("rope_theta", 10000.0),
                f.ropeScaling(),
                f.positiveInt("vocab_size", null),
                f.bool("tie_word_embeddings", false),
                f.positiveInt("max_position_embeddings", 2048),
                f.ids("bos_token_id", 1),
                f.ids("eos_token_id", 2));
    }

    /** A token-id field (an int or a list of ints) of any HF JSON file, e.g. generation_config.json. */
    public static List<Integer> tokenIds(JsonObject o, String field, int dflt, String source) {
        return new Fields(o, source).ids(field, dflt);
    }

    /** The config as HF writes it (tiny-llama). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add("LlamaForCausalLM");
        o.add("architectures", arch);
        o.addProperty("attention_bias", false);
        o.addProperty("attention_dropout", 0.0);
        o.add("bos_token_id", idsJson(bosTokenIds));
        o.add("eos_token_id", idsJson(eosTokenIds));
        o.addProperty("head_dim", headDim);
        o.addProperty("hidden_act", "silu");
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("initializer_range", 0.02);
        o.addProperty("intermediate_size", intermediateSize);
        o.addProperty("max_position_embeddings", maxPositionEmbeddings);
        o.addProperty("mlp_bias", false);
        o.addProperty("model_type", "llama");
        o.addProperty("num_attention_heads", numAttentionHeads);
        o.addProperty("num_hidden_layers", numHiddenLayers);
        o.addProperty("num_key_value_heads", numKeyValueHeads);
        o.addProperty("pretraining_tp", 1);
        o.addProperty("rms_norm_eps", rmsNormEps);
        if (ropeScaling == null) {
            o.add("rope_scaling", com.google.gson.JsonNull.INSTANCE);
        } else {
            JsonObject rs = new JsonObject();
            rs.addProperty("factor", ropeScaling.factor());
            if (ropeScaling.isLlama3()) {
                rs.addProperty("high_freq_factor", ropeScaling.highFreqFactor());
                rs.addProperty("low_freq_factor", ropeScaling.lowFreqFactor());
                rs.addProperty("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
            }
            rs.addProperty("rope_type", ropeScaling.type());
            o.add("rope_scaling", rs);
        }
        o.addProperty("rope_theta", ropeTheta);
        o.addProperty("tie_word_embeddings", tieWordEmbeddings);
        o.addProperty("torch_dtype", "float32");
        o.addProperty("use_cache", true);
        o.addProperty("vocab_size", vocabSize);
        return o;
    }

    private static JsonElement idsJson(List<Integer> ids) {
        if (ids.size() == 1) {
            return new JsonPrimitive(ids.get(0));
        }
        JsonArray a = new JsonArray();
        ids.forEach(a::add);
        return a;
    }

    public int kvGroups() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /**
     * Every weight's HF name and shape, in HF order, derived from the config alone ({@code nn.Linear} weights are
     * (out, in)). {@code lm_head.weight} is absent when tied.
     */
    public Map<String, long[]> parameterShapes() {
        long h = hiddenSize;
        long q = (long) numAttentionHeads * headDim;
        long kv = (long) numKeyValueHeads * headDim;
        long i = intermediateSize;
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(LlamaNames.EMBED, new long[] {vocabSize, h});
        for (int l = 0; l < numHiddenLayers; l++) {
            m.put(LlamaNames.linear(l, "q_proj"), new long[] {q, h});
            m.put(LlamaNames.linear(l, "k_proj"), new long[] {kv, h});
            m.put(LlamaNames.linear(l, "v_proj"), new long[] {kv, h});
            m.put(LlamaNames.linear(l, "o_proj"), new long[] {h, q});
            m.put(LlamaNames.linear(l, "gate_proj"), new long[] {i, h});
            m.put(LlamaNames.linear(l, "up_proj"), new long[] {i, h});
            m.put(LlamaNames.linear(l, "down_proj"), new long[] {h, i});
            m.put(LlamaNames.inputNorm(l), new long[] {h});
            m.put(LlamaNames.postAttentionNorm(l), new long[] {h});
        }
        m.put(LlamaNames.NORM, new long[] {h});
        if (!tieWordEmbeddings) {
            m.put(LlamaNames.LM_HEAD, new long[] {vocabSize, h});
        }
        return m;
    }

    /** Number of parameters (a tied head counts once, as in HF's {@code num_parameters()}). */
    public long parameterCount() {
        long n = 0;
        for (long[] s : parameterShapes().values()) {
            n += new Shape(s).size();
        }
        return n;
    }

    /** Typed, validated field access; every error names the file and the field. */
    private record Fields(JsonObject o, String source) {
        private JsonElement get(String name) {
            JsonElement e = o.get(name);
            return e == null || e.isJsonNull() ? null : e;
        }

        private PocmergeException bad(String name, String why) {
            return new PocmergeException(source + ": field " + name + " " + why);
        }

        String string(String name, String dflt) {
            JsonElement e = get(name);
            if (e == null) {
                if (dflt == null) {
                    throw bad(name, "is missing");
                }
                return dflt;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw bad(name, "must be a string, got " + e);
            }
            return e.getAsString();
        }

        boolean bool(String name, boolean dflt) {
            JsonElement e = get(name);
            if (e == null) {
                return dflt;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw bad(name, "must be true or false, got " + e);
            }
            return e.getAsBoolean();
        }

        double number(String name, Double dflt) {
            JsonElement e = get(name);
            if (e == null) {
                if (dflt == null) {
                    throw bad(name, "is missing");
                }
                return dflt;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw bad(name, "must be a number, got " + e);
            }
            return e.getAsDouble();
        }

        double positiveDouble(String name, Double dflt) {
            double v = number(name, dflt);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw bad(name, "must be a positive number, got " + v);
            }
            return v;
        }

        int positiveInt(String name, Integer dflt) {
            double v = number(name, dflt == null ? null : dflt.doubleValue());
            if (v != Math.rint(v) || v < 1 || v > Integer.MAX_VALUE) {
                throw bad(name, "must be a positive integer, got " + get(name));
            }
            return (int) v;
        }

        List<Integer> ids(String name, int dflt) {
            JsonElement e = get(name);
            if (e == null) {
                return List.of(dflt);
            }
            List<JsonElement> items = new ArrayList<>();
            if (e.isJsonArray()) {
                e.getAsJsonArray().forEach(items::add);
            } else {
                items.add(e);
            }
            List<Integer> ids = new ArrayList<>();
            for (JsonElement x : items) {
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()
                        || x.getAsDouble() != Math.rint(x.getAsDouble()) || x.getAsDouble() < 0) {
                    throw bad(name, "must be a token id or a list of token ids, got " + e);
                }
                ids.add(x.getAsInt());
            }
            if (ids.isEmpty()) {
                throw bad(name, "is an empty list");
            }
            return ids;
        }

        RopeScaling ropeScaling() {
            JsonElement e = get("rope_scaling");
            if (e == null) {
                return null;
            }
            if (!e.isJsonObject()) {
                throw bad("rope_scaling", "must be null or an object, got " + e);
            }
            Fields rs = new Fields(e.getAsJsonObject(), source + " rope_scaling");
            // HF renamed "type" to "rope_type"; files carry either.
            String type = rs.get("rope_type") != null ? rs.string("rope_type", null) : rs.string("type", "default");
            switch (type) {
                case "default":
                    return null;
                case "linear":
                    return RopeScaling.linear(rs.positiveDouble("factor", null));
                case "llama3":
                    double low = rs.positiveDouble("low_freq_factor", null);
                    double high = rs.positiveDouble("high_freq_factor", null);
                    if (high <= low) {
                        throw bad("rope_scaling.high_freq_factor", "must exceed low_freq_factor");
                    }
                    return RopeScaling.llama3(rs.positiveDouble("factor", null), low, high,
                            rs.positiveInt("original_max_position_embeddings", null));
                default:
                    throw bad("rope_scaling.rope_type", "'" + type + "' is not supported (null, linear, llama3)");
            }
        }
    }
}
