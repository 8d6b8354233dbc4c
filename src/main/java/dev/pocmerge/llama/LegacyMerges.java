package dev.pocmerge.llama;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pocmerge.core.PocmergeException;
import java.nio.file.Path;

/**
 * Repairs BPE merges written in the legacy {@code "left right"} string form where a token itself contains an
 * ASCII space (re-serialized Llama-2 tokenizer.json files turned U+00A0 into spaces, which the Rust tokenizers
 * loader rejects: "Merges text file invalid"). Each merge becomes a {@code ["left", "right"]} pair, splitting at
 * the one space where both halves and their concatenation are vocabulary tokens.
 */
final class LegacyMerges {
    private LegacyMerges() {}

    /** True when some merge string has other than exactly one space (the loader would reject it). */
    static boolean needsRepair(JsonObject tokenizer) {
        JsonArray merges = merges(tokenizer);
        if (merges == null) {
            return false;
        }
        for (JsonElement m : merges) {
            if (m.isJsonPrimitive() && spaces(m.getAsString()) != 1) {
                return true;
            }
        }
        return false;
    }

    /** Rewrites {@code model.merges} as pairs, in place. */
    static void repair(JsonObject tokenizer, Path file) {
        JsonElement v = tokenizer.getAsJsonObject("model").get("vocab"); // needsRepair saw model as an object
        if (v == null || !v.isJsonObject()) {
            throw new PocmergeException(file + ": field model.vocab must be an object of token → id, got "
                    + (v == null ? "nothing" : v.isJsonArray() ? "a list" : v.toString()));
        }
        JsonObject vocab = v.getAsJsonObject();
        JsonArray merges = merges(tokenizer);
        JsonArray pairs = new JsonArray();
        for (int i = 0; i < merges.size(); i++) {
            JsonElement m = merges.get(i);
            if (!m.isJsonPrimitive()) {
                pairs.add(m);
                continue;
            }
            String s = m.getAsString();
            String[] pair = null;
            for (int at = s.indexOf(' '); at >= 0 && pair == null; at = s.indexOf(' ', at + 1)) {
                String left = s.substring(0, at);
                String right = s.substring(at + 1);
                if (vocab.has(left) && vocab.has(right) && vocab.has(left + right)) {
                    pair = new String[] {left, right};
                }
            }
            if (pair == null) {
                throw new PocmergeException(file + ": merge #" + i + " '" + s
                        + "' cannot be split into two vocabulary tokens");
            }
            JsonArray p = new JsonArray();
            p.add(pair[0]);
            p.add(pair[1]);
            pairs.add(p);
        }
        tokenizer.getAsJsonObject("model").add("merges", pairs);
    }

    private static JsonArray merges(JsonObject tokenizer) {
        JsonElement model = tokenizer.get("model");
        if (model == null || !model.isJsonObject()) {
            return null;
        }
        JsonElement merges = model.getAsJsonObject().get("merges");
        return merges != null && merges.isJsonArray() ? merges.getAsJsonArray() : null;
    }

    private static int spaces(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ') {
                n++;
            }
        }
        return n;
    }
}
