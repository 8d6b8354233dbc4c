package dev.pocmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pocmerge.core.Json;
import dev.pocmerge.llama.ByteLevelBpe;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tiny-llama → generate through {@code Main.run}, as a user would call it. */
public class LlamaCliTest {
    @TempDir
    Path tmp;

    /** What a command printed and returned. */
    public record Run(int code, String out, String err) {}

    /** Runs the CLI in this JVM as a user would, capturing stdout and stderr. */
    public static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void tinyLlamaThenGenerate() {
        Path m = tmp.resolve("tiny");
        Run w = run("tiny-llama", "--out", m.toString(), "--seed", "3");
        assertEquals(0, w.code(), w.err());
        Run g = run("generate", "--model", m.toString(), "--prompt", "Hello world", "--max-new-tokens", "12",
                "--device", "cpu", "--json");
        assertEquals(0, g.code(), g.err());
        JsonObject o = JsonParser.parseString(g.out().trim()).getAsJsonObject();
        assertEquals(1, o.getAsJsonArray("prompt_tokens").get(0).getAsInt(), "BOS first");
        int n = o.getAsJsonArray("new_tokens").size();
        assertTrue(n >= 1 && n <= 12, "new tokens: " + n);
        assertEquals(n == 12 ? "length" : "eos", o.get("stop").getAsString());
        Run plain = run("generate", "--model", m.toString(), "--prompt", "Hello world", "--max-new-tokens", "12");
        assertEquals(0, plain.code(), plain.err());
        assertEquals("Hello world" + o.get("text").getAsString(), plain.out().replaceAll("\\R$", ""));
    }

    @Test
    void shardedAndSingleFileGiveIdenticalLogits() throws Exception {
        Path one = tmp.resolve("one");
        Path three = tmp.resolve("three");
        assertEquals(0, run("tiny-llama", "--out", one.toString(), "--seed", "5", "--dtype", "f32", "--tie").code());
        assertEquals(0, run("tiny-llama", "--out", three.toString(), "--seed", "5", "--dtype", "f32", "--tie",
                "--shards", "3").code());
        assertTrue(Files.isRegularFile(three.resolve("model-00003-of-00003.safetensors")));
        Path a = tmp.resolve("a.json");
        Path b = tmp.resolve("b.json");
        assertEquals(0, run("generate", "--model", one.toString(), "--prompt", "the cat", "--dump-logits", a.toString())
                .code());
        assertEquals(0, run("generate", "--model", three.toString(), "--prompt", "the cat", "--dump-logits",
                b.toString()).code());
        JsonObject da = Json.read(a).getAsJsonObject();
        JsonArray logits = da.getAsJsonArray("logits");
        assertEquals(da.getAsJsonArray("tokens").size(), logits.size());
        assertEquals(ByteLevelBpe.vocabSize(), logits.get(0).getAsJsonArray().size());
        assertEquals(da, Json.read(b).getAsJsonObject());
    }

    @Test
    void bf16AndF32CheckpointsLoadAndGenerate() {
        for (String dtype : new String[] {"bf16", "f32"}) {
            Path m = tmp.resolve(dtype);
            assertEquals(0, run("tiny-llama", "--out", m.toString(), "--dtype", dtype, "--rope-scaling", "llama3",
                    "--layers", "1", "--heads", "2", "--kv-heads", "1", "--hidden", "32").code());
            Run g = run("generate", "--model", m.toString(), "--prompt", "Hi", "--max-new-tokens", "3", "--json");
            assertEquals(0, g.code(), g.err());
        }
    }

    @Test
    void badConfigExitsTwoWithOneLine() throws Exception {
        Path m = tmp.resolve("bad");
        assertEquals(0, run("tiny-llama", "--out", m.toString()).code());
        Path cfg = m.resolve("config.json");
        String good = Files.readString(cfg);

        Files.writeString(cfg, good.replace("\"model_type\": \"llama\"", "\"model_type\": \"gpt2\""));
        assertOneLineError(run("generate", "--model", m.toString(), "--prompt", "x"), "model_type");

        Files.writeString(cfg, good.replaceAll("\\s*\"hidden_size\": 64,", ""));
        assertOneLineError(run("generate", "--model", m.toString(), "--prompt", "x"), "hidden_size");

        Files.writeString(cfg, good);
        assertOneLineError(run("generate", "--model", tmp.resolve("nowhere").toString(), "--prompt", "x"), "nowhere");
        assertOneLineError(run("tiny-llama", "--out", tmp.resolve("x").toString(), "--hidden", "30", "--heads", "4"),
                "--hidden");
        assertOneLineError(run("tiny-llama", "--out", tmp.resolve("y").toString(), "--hidden", "-64"), "--hidden");
        assertOneLineError(run("bench", "generate", "--model", m.toString(), "--prompt-tokens", "0"),
                "--prompt-tokens");
        assertOneLineError(run("bench", "generate", "--model", m.toString(), "--new-tokens", "-1"), "--new-tokens");

        // a tokenizer.json whose added_tokens are not objects: one line naming the file, not a stack trace
        Path tok = m.resolve("tokenizer.json");
        String goodTok = Files.readString(tok);
        Files.writeString(tok, goodTok.replaceFirst("\"added_tokens\"\\s*:\\s*\\[", "\"added_tokens\": [7, "));
        assertOneLineError(run("generate", "--model", m.toString(), "--prompt", "x"), "tokenizer.json");
        Files.writeString(tok, goodTok);
    }

    /**
     * A prompt past max_position_embeddings used to end in an int overflow in the attention mask: every command
     * where tokens meet the model must instead exit 2 with one error line naming the length and the limit.
     */
    @Test
    void promptsPastMaxPositionEmbeddingsExitTwoWithOneLine() throws Exception {
        Path m = tmp.resolve("short");
        assertEquals(0, run("tiny-llama", "--out", m.toString(), "--layers", "1").code());
        Path cfg = m.resolve("config.json");
        String text = Files.readString(cfg);
        assertTrue(text.contains("\"max_position_embeddings\": 2048"), text);
        Files.writeString(cfg, text.replace("\"max_position_embeddings\": 2048", "\"max_position_embeddings\": 24"));
        String model = m.toString();
        String longPrompt = "the cat sat on the mat ".repeat(8);
        int tokens;
        try (dev.pocmerge.llama.LlamaTokenizer t = dev.pocmerge.llama.LlamaTokenizer.load(m)) {
            tokens = t.encode(longPrompt).length;
        }
        assertTrue(tokens > 24, "tokens " + tokens);
        String limit = " is longer than max_position_embeddings 24 (config.json): ";
        assertRefused(run("generate", "--model", model, "--prompt", longPrompt),
                "error: a prompt of " + tokens + " tokens" + limit + "shorten the prompt");
        assertRefused(run("generate", "--model", model, "--prompt", "Hi", "--max-new-tokens", "30"), // BOS, H, i
                "error: a prompt of 3 tokens + 30 new tokens" + limit + "shorten the prompt or lower --max-new-tokens");
        assertRefused(run("generate", "--model", model, "--prompt", longPrompt, "--dump-logits",
                tmp.resolve("l.json").toString()), "error: a sequence of " + tokens + " tokens" + limit
                + "use a shorter prompt");
        assertRefused(run("bench", "generate", "--model", model),
                "error: --prompt-tokens 64 + --new-tokens 32" + limit + "lower them");

        dev.pocmerge.data.MiniCommonsense.write(tmp.resolve("data/mini-commonsense"), 4, 6, 0);
        String data = tmp.resolve("data").toString();
        for (String protocol : new String[] {"generation", "loglik"}) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("evaluate", "--model", model, "--data-dir", data,
                    "--tasks", "mini-commonsense", "--protocol", protocol, "--out", tmp.resolve("e-" + protocol)
                    .toString()));
            if (protocol.equals("generation")) {
                args.addAll(java.util.List.of("--beams", "1")); // loglik refuses decoding options
            }
            Run r = run(args.toArray(String[]::new));
            assertRefused(r, protocol.equals("loglik") ? "error: a sequence of " : "error: a prompt of ");
            assertTrue(r.err().contains(limit), r.err());
        }
        Run f = run("finetune", "--model", model, "--data", tmp.resolve("data/mini-commonsense/train.json").toString(),
                "--M", "1", "--max-steps", "1", "--out", tmp.resolve("f").toString());
        assertRefused(f, "error: a training row of ");
        assertTrue(f.err().contains("(--cutoff-len 256)" + limit + "lower --cutoff-len to at most 24"), f.err());
        assertTrue(Files.notExists(tmp.resolve("f")), "refused before the run folder is made");
    }

    /** Exit 2, exactly one line starting with "error:" that starts with {@code start}, no stack trace. */
    private static void assertRefused(Run r, String start) {
        assertEquals(2, r.code(), r.err());
        java.util.List<String> errors = r.err().lines().filter(l -> l.contains("error:")).toList();
        assertEquals(1, errors.size(), r.err());
        String line = errors.get(0).substring(errors.get(0).indexOf("error:"));
        assertTrue(line.startsWith(start), line);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
    }

    private static void assertOneLineError(Run r, String mention) {
        assertEquals(2, r.code(), r.err());
        String[] lines = r.err().strip().split("\\R");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("error: ") && lines[0].contains(mention), lines[0]);
        assertTrue(lines[0].contains("config.json") || !mention.equals("model_type"), lines[0]);
    }
}
