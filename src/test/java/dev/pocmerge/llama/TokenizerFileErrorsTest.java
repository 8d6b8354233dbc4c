package dev.pocmerge.llama;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.io.Dtype;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A malformed tokenizer.json / tokenizer_config.json is a one-line error naming the file and the field, found by
 * checking the fields (not by catching whatever Gson throws, which would also hide our own bugs).
 */
class TokenizerFileErrorsTest {
    @TempDir
    Path tmp;
    Path dir;
    JsonObject tokenizer;
    JsonObject config;

    @BeforeEach
    void write() {
        dir = tmp.resolve("m");
        TinyLlama.write(dir, TinyLlamaTest.opts(Dtype.F32, 1, true));
        tokenizer = Json.read(dir.resolve("tokenizer.json")).getAsJsonObject();
        config = Json.read(dir.resolve("tokenizer_config.json")).getAsJsonObject();
        LlamaTokenizer.load(dir).close(); // the unedited files load
    }

    private void refused(String file, String field, Consumer<JsonObject> edit) throws Exception {
        JsonObject o = (file.equals("tokenizer.json") ? tokenizer : config).deepCopy();
        edit.accept(o);
        Files.writeString(dir.resolve(file), Json.COMPACT.toJson(o));
        PocmergeException e = assertThrows(PocmergeException.class, () -> LlamaTokenizer.load(dir).close());
        assertTrue(e.getMessage().startsWith(dir.resolve(file).toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(field), field + " in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        Files.writeString(dir.resolve(file), Json.COMPACT.toJson(file.equals("tokenizer.json") ? tokenizer : config));
    }

    @Test
    void specialTokenFieldsAreCheckedByName() throws Exception {
        refused("tokenizer_config.json", "field bos_token must be a string or an object with a string \"content\"",
                o -> o.addProperty("bos_token", 5));
        refused("tokenizer_config.json", "field bos_token must be a string", o -> {
            JsonObject t = new JsonObject();
            t.addProperty("content", 3);
            o.add("bos_token", t);
        });
        refused("tokenizer_config.json", "field eos_token must be a string", o -> {
            o.addProperty("add_eos_token", true);
            o.add("eos_token", new JsonArray());
        });
        refused("tokenizer_config.json", "field add_bos_token must be true or false", o -> o.addProperty("add_bos_token",
                "yes"));
        refused("tokenizer_config.json", "field bos_token '<bos>' is not an added token",
                o -> o.addProperty("bos_token", "<bos>"));
        refused("tokenizer.json", "field added_tokens must be a list", o -> o.add("added_tokens", new JsonObject()));
        refused("tokenizer.json", "field added_tokens[1] needs a string \"content\" and a non-negative integer \"id\"",
                o -> o.getAsJsonArray("added_tokens").get(1).getAsJsonObject().remove("id"));
        refused("tokenizer.json", "field added_tokens[0] needs", o -> o.getAsJsonArray("added_tokens").get(0)
                .getAsJsonObject().addProperty("id", 1.5));
        refused("tokenizer.json", "field added_tokens[2] needs", o -> o.getAsJsonArray("added_tokens").set(2,
                new JsonPrimitive("</s>")));
    }

    @Test
    void filesTheTokenizerLibraryCannotReadNameTheFile() throws Exception {
        // legacy merges ("a b c" has two spaces) are repaired against model.vocab, which must be an object
        refused("tokenizer.json", "field model.vocab must be an object", o -> {
            JsonObject model = o.getAsJsonObject("model");
            model.getAsJsonArray("merges").add("a b c");
            model.add("vocab", new JsonArray());
        });
        refused("tokenizer.json", "not a tokenizer.json the tokenizers library can read",
                o -> o.getAsJsonObject("model").addProperty("type", "NoSuchModel"));
    }
}
