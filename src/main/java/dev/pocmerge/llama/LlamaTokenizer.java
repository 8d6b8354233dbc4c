package dev.pocmerge.llama;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A model folder's {@code tokenizer.json} through DJL's Hugging Face tokenizers (native, offline), with DJL's
 * default truncation (512) and padding turned off. BOS/EOS follow {@code tokenizer_config.json}:
 * {@code add_bos_token}/{@code add_eos_token} when it says so (transformers' {@code LlamaTokenizer}), otherwise
 * the tokenizer.json post-processor decides (Llama-3's {@code PreTrainedTokenizerFast}). Decoding skips special
 * tokens.
 */
public final class LlamaTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final Long bos; // prepended by us, or null when the post-processor handles it
    private final Long eos; // appended by us (add_eos_token), or null

    private LlamaTokenizer(HuggingFaceTokenizer tokenizer, Long bos, Long eos) {
        this.tokenizer = tokenizer;
        this.bos = bos;
        this.eos = eos;
    }

    /** Loads {@code dir/tokenizer.json} and, when present, {@code dir/tokenizer_config.json}. */
    public static LlamaTokenizer load(Path dir) {
        return load(dir.resolve("tokenizer.json"), dir.resolve("tokenizer_config.json"));
    }

    public static LlamaTokenizer load(Path tokenizerJson, Path tokenizerConfig) {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new PocmergeException(tokenizerJson + ": file not found (the model folder needs tokenizer.json)");
        }
        JsonObject json = object(tokenizerJson);
        JsonObject cfg = Files.isRegularFile(tokenizerConfig) ? object(tokenizerConfig) : new JsonObject();
        Boolean addBos = flag(cfg, "add_bos_token", tokenizerConfig);
        Boolean addEos = flag(cfg, "add_eos_token", tokenizerConfig);
        Map<String, Long> special = addBos != null || addEos != null ? addedTokens(json, tokenizerJson) : Map.of();
        Long bos = Boolean.TRUE.equals(addBos) ? specialId(cfg, "bos_token", "<s>", special, tokenizerConfig) : null;
        Long eos = Boolean.TRUE.equals(addEos) ? specialId(cfg, "eos_token", "</s>", special, tokenizerConfig) : null;
        boolean ours = addBos != null || addEos != null;
        Engines.setOfflineFlags();
        // DJL defaults to truncation at 512 and padding: both off; special tokens as decided above
        Map<String, String> options = Map.of("truncation", "false", "padding", "false",
                "addSpecialTokens", String.valueOf(!ours));
        byte[] repaired = null;
        if (LegacyMerges.needsRepair(json)) {
            LegacyMerges.repair(json, tokenizerJson);
            repaired = Json.COMPACT.toJson(json).getBytes(StandardCharsets.UTF_8);
        }
        try {
            HuggingFaceTokenizer t = repaired != null
                    ? HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(repaired), options)
                    : HuggingFaceTokenizer.newInstance(tokenizerJson, options);
            return new LlamaTokenizer(t, bos, eos);
        } catch (IOException | UnsatisfiedLinkError e) {
            throw new PocmergeException(tokenizerJson + ": cannot load tokenizer (" + firstLine(e) + ")", e);
        } catch (RuntimeException e) {
            // the native parser reports a file it cannot read as a plain RuntimeException; anything of a
            // subclass (NullPointerException, IllegalStateException, ...) is a bug and goes up as it is
            if (e.getClass() != RuntimeException.class) {
                throw e;
            }
            throw new PocmergeException(tokenizerJson + ": not a tokenizer.json the tokenizers library can read ("
                    + firstLine(e) + ")", e);
        }
    }

    /** Token ids of {@code text}, BOS first when the tokenizer config asks for it. */
    public long[] encode(String text) {
        Encoding enc = tokenizer.encode(text);
        long[] ids = enc.getIds();
        int extra = (bos != null ? 1 : 0) + (eos != null ? 1 : 0);
        if (extra == 0) {
            return ids;
        }
        long[] out = new long[ids.length + extra];
        int at = 0;
        if (bos != null) {
            out[at++] = bos;
        }
        System.arraycopy(ids, 0, out, at, ids.length);
        if (eos != null) {
            out[out.length - 1] = eos;
        }
        return out;
    }

    /** Text of {@code ids}, special tokens skipped. */
    public String decode(long[] ids) {
        return tokenizer.decode(ids, true);
    }

    /** DJL's truncation setting (must be DO_NOT_TRUNCATE). */
    public String truncation() {
        return tokenizer.getTruncation();
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static JsonObject object(Path file) {
        JsonElement e = Json.read(file);
        if (!e.isJsonObject()) {
            throw new PocmergeException(file + ": not a JSON object");
        }
        return e.getAsJsonObject();
    }

    private static Boolean flag(JsonObject cfg, String name, Path file) {
        JsonElement e = cfg.get(name);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new PocmergeException(file + ": field " + name + " must be true or false, got " + e);
        }
        return e.getAsBoolean();
    }

    /** The id of bos_token/eos_token (a string or an AddedToken object) among tokenizer.json's added tokens. */
    private static long specialId(JsonObject cfg, String field, String dflt, Map<String, Long> special, Path file) {
        JsonElement e = cfg.get(field);
        String content;
        if (e == null || e.isJsonNull()) {
            content = dflt;
        } else if (isString(e)) {
            content = e.getAsString();
        } else if (e.isJsonObject() && isString(e.getAsJsonObject().get("content"))) {
            content = e.getAsJsonObject().get("content").getAsString();
        } else {
            throw new PocmergeException(file + ": field " + field + " must be a string or an object with a string"
                    + " \"content\", got " + e);
        }
        Long id = special.get(content);
        if (id == null) {
            throw new PocmergeException(file + ": field " + field + " '" + content
                    + "' is not an added token of tokenizer.json");
        }
        return id;
    }

    private static Map<String, Long> addedTokens(JsonObject tokenizer, Path file) {
        Map<String, Long> m = new HashMap<>();
        JsonElement added = tokenizer.get("added_tokens");
        if (added == null || added.isJsonNull()) {
            return m;
        }
        if (!added.isJsonArray()) {
            throw new PocmergeException(file + ": field added_tokens must be a list, got " + brief(added));
        }
        JsonArray list = added.getAsJsonArray();
        for (int i = 0; i < list.size(); i++) {
            JsonElement t = list.get(i);
            JsonElement content = t.isJsonObject() ? t.getAsJsonObject().get("content") : null;
            JsonElement id = t.isJsonObject() ? t.getAsJsonObject().get("id") : null;
            if (!isString(content) || !isWholeNumber(id)) {
                throw new PocmergeException(file + ": field added_tokens[" + i + "] needs a string \"content\" and a"
                        + " non-negative integer \"id\", got " + brief(t));
            }
            m.put(content.getAsString(), id.getAsLong());
        }
        return m;
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    private static boolean isWholeNumber(JsonElement e) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            return false;
        }
        java.math.BigDecimal d = e.getAsBigDecimal();
        return d.signum() >= 0 && d.stripTrailingZeros().scale() <= 0 && d.compareTo(java.math.BigDecimal.valueOf(
                Long.MAX_VALUE)) <= 0;
    }

    private static String brief(JsonElement e) {
        String s = String.valueOf(e);
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
