package dev.pocmerge.llama;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small byte-level BPE tokenizer.json of our own (GPT-2's byte-to-unicode alphabet, HF tokenizers format):
 * ids 0–2 are {@code <unk> <s> </s>} (Llama-2's layout), 3–258 the 256 bytes, then a fixed list of English
 * merges. Every UTF-8 string encodes and decodes exactly, since every byte is a token.
 */
public final class ByteLevelBpe {
    public static final int UNK = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;

    /** Applied in order; each pair's parts are bytes or earlier results ('Ġ' is the space byte). */
    private static final String[][] MERGES = {
        {"h", "e"}, {"Ġ", "t"}, {"i", "n"}, {"Ġ", "a"}, {"r", "e"}, {"o", "n"}, {"e", "r"}, {"Ġt", "he"},
        {"a", "n"}, {"Ġ", "s"}, {"Ġ", "w"}, {"Ġ", "o"}, {"a", "t"}, {"e", "n"}, {"o", "r"}, {"in", "g"},
        {"Ġ", "c"}, {"e", "s"}, {"Ġ", "b"}, {"Ġ", "f"}, {"i", "s"}, {"Ġ", "i"}, {"l", "l"}, {"Ġ", "h"},
        {"Ġa", "n"}, {"Ġan", "d"}, {"Ġo", "f"}, {"H", "e"}, {"He", "ll"}, {"Hell", "o"}, {"Ġw", "or"},
        {"Ġwor", "l"}, {"Ġworl", "d"},
    };

    private ByteLevelBpe() {}

    /** Number of tokens: 3 special + 256 bytes + merges. */
    public static int vocabSize() {
        return 3 + 256 + MERGES.length;
    }

    /** GPT-2 {@code bytes_to_unicode}: printable bytes map to themselves, the rest to U+0100 onwards. */
    static char[] byteAlphabet() {
        char[] map = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char) b : (char) (256 + n++);
        }
        return map;
    }

    /** The tokenizer.json document. */
    public static JsonObject tokenizerJson() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        vocab.put("<unk>", UNK);
        vocab.put("<s>", BOS);
        vocab.put("</s>", EOS);
        for (char c : byteAlphabet()) {
            vocab.put(String.valueOf(c), vocab.size());
        }
        JsonArray merges = new JsonArray();
        for (String[] m : MERGES) {
            if (!vocab.containsKey(m[0]) || !vocab.containsKey(m[1])) {
                throw new IllegalStateException("merge " + m[0] + " " + m[1] + " uses an unknown token");
            }
            merges.add(m[0] + " " + m[1]);
            vocab.putIfAbsent(m[0] + m[1], vocab.size());
        }
        JsonObject v = new JsonObject();
        vocab.forEach(v::addProperty);

        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        for (String s : new String[] {"<unk>", "<s>", "</s>"}) {
            JsonObject t = new JsonObject();
            t.addProperty("id", vocab.get(s));
            t.addProperty("content", s);
            t.addProperty("single_word", false);
            t.addProperty("lstrip", false);
            t.addProperty("rstrip", false);
            t.addProperty("normalized", false);
            t.addProperty("special", true);
            added.add(t);
        }
        root.add("added_tokens", added);
        root.add("normalizer", JsonNull.INSTANCE);
        root.add("pre_tokenizer", byteLevel(false));
        root.add("post_processor", bosTemplate());
        root.add("decoder", byteLevel(true));
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        model.addProperty("unk_token", "<unk>");
        model.add("continuing_subword_prefix", JsonNull.INSTANCE);
        model.add("end_of_word_suffix", JsonNull.INSTANCE);
        model.addProperty("fuse_unk", false);
        model.addProperty("byte_fallback", false);
        model.addProperty("ignore_merges", false);
        model.add("vocab", v);
        model.add("merges", merges);
        root.add("model", model);
        return root;
    }

    private static JsonObject byteLevel(boolean addPrefixSpace) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "ByteLevel");
        o.addProperty("add_prefix_space", addPrefixSpace);
        o.addProperty("trim_offsets", true);
        o.addProperty("use_regex", true);
        return o;
    }

    /** {@code <s> $A} (and {@code <s> $A <s> $B}), as Llama tokenizers' post-processors do. */
    private static JsonObject bosTemplate() {
        JsonObject p = new JsonObject();
        p.addProperty("type", "TemplateProcessing");
        p.add("single", template("A"));
        JsonArray pair = template("A");
        template("B").forEach(pair::add);
        p.add("pair", pair);
        JsonObject bos = new JsonObject();
        bos.addProperty("id", "<s>");
        JsonArray ids = new JsonArray();
        ids.add(BOS);
        bos.add("ids", ids);
        JsonArray tokens = new JsonArray();
        tokens.add("<s>");
        bos.add("tokens", tokens);
        JsonObject special = new JsonObject();
        special.add("<s>", bos);
        p.add("special_tokens", special);
        return p;
    }

    private static JsonArray template(String seq) {
        JsonArray a = new JsonArray();
        JsonObject s = new JsonObject();
        JsonObject st = new JsonObject();
        st.addProperty("id", "<s>");
        st.addProperty("type_id", 0);
        s.add("SpecialToken", st);
        a.add(s);
        JsonObject q = new JsonObject();
        JsonObject sq = new JsonObject();
        sq.addProperty("id", seq);
        sq.addProperty("type_id", 0);
        q.add("Sequence", sq);
        a.add(q);
        return a;
    }
}
