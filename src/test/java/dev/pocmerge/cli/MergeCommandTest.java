package dev.pocmerge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pocmerge.core.Json;
import dev.pocmerge.io.PeftFiles;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.lora.AdapterMerge;
import dev.pocmerge.lora.LoraAdapter;
import dev.pocmerge.lora.LoraFactors;
import dev.pocmerge.lora.ModuleKey;
import dev.pocmerge.lora.TestAdapters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pocmerge merge} as a user calls it, including the mistakes a user makes. */
class MergeCommandTest {
    static final List<String> TARGETS = List.of("q_proj", "v_proj", "down_proj");

    @TempDir
    Path tmp;
    Path base;
    LlamaConfig config;
    List<LoraAdapter> members = new ArrayList<>();

    /** A tiny base, members 0-2 in runs/a/adapters and member 3 in runs/b/adapters (an ensemble split in two). */
    @BeforeEach
    void setUp() {
        base = tmp.resolve("base");
        assertEquals(0, CliRun.of("tiny-llama", "--out", base.toString(), "--layers", "2", "--shards", "2").exit());
        config = LlamaCheckpoint.config(base);
        for (int m = 0; m < 4; m++) {
            LoraAdapter a = TestAdapters.random(config, TARGETS, 2, 4, 100 + m);
            members.add(a);
            PeftFiles.write(tmp.resolve(m < 3 ? "runs/a/adapters" : "runs/b/adapters").resolve("adapter-" + m), a);
        }
    }

    private String dir(String rel) {
        return tmp.resolve(rel).toString();
    }

    @Test
    void catMergeOfASplitEnsembleIsIndependentOfArgumentOrder() throws Exception {
        CliRun r = CliRun.of("merge", "--adapters", dir("runs/b/adapters"), dir("runs/a/adapters"), "--out",
                dir("merged"), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonObject o = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        assertEquals("cat", o.get("mode").getAsString());
        assertEquals(4, o.get("M").getAsInt());
        assertEquals(8, o.get("rank").getAsInt());
        assertEquals(3, o.getAsJsonArray("members").get(3).getAsJsonObject().get("index").getAsInt());
        JsonObject saved = Json.read(tmp.resolve("merged/merge.json")).getAsJsonObject();
        assertEquals(o.get("members"), saved.get("members"));

        LoraAdapter got = PeftFiles.read(tmp.resolve("merged"));
        LoraAdapter want = AdapterMerge.cat(members);
        assertEquals(want.settings().r(), got.settings().r());
        assertEquals(1.0, got.settings().scale());
        for (Map.Entry<ModuleKey, LoraFactors> e : want.modules().entrySet()) {
            assertArrayEquals(e.getValue().a(), got.modules().get(e.getKey()).a(), e.getKey().toString());
            assertArrayEquals(e.getValue().b(), got.modules().get(e.getKey()).b(), e.getKey().toString());
        }
        assertEquals(0, CliRun.of("merge", "--adapters", dir("runs/a/adapters"), dir("runs/b/adapters"), "--out",
                dir("merged2")).exit());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("merged/adapter_model.safetensors")),
                Files.readAllBytes(tmp.resolve("merged2/adapter_model.safetensors")));
        CliRun refused = CliRun.of("merge", "--adapters", dir("runs/a/adapters"), "--out", dir("merged"));
        assertEquals(2, refused.exit(), "an earlier merge output is kept without --overwrite: " + refused.err());
        assertTrue(refused.errorLine().contains("--overwrite"), refused.err());
        CliRun again = CliRun.of("merge", "--adapters", dir("runs/a/adapters"), "--out", dir("merged"), "--overwrite");
        assertEquals(0, again.exit(), "an earlier merge output is replaced: " + again.err());
        assertTrue(again.out().startsWith("merged 3 adapters (cat, rank 6, 6 modules)"), again.out());
    }

    @Test
    void svdReportsEveryModulesError() {
        CliRun r = CliRun.of("merge", "--adapters", dir("runs/a/adapters"), "--svd", "3", "--model", base.toString(),
                "--out", dir("svd"), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonObject o = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        assertEquals("svd", o.get("mode").getAsString());
        assertEquals(3, o.get("rank").getAsInt());
        JsonObject errors = o.getAsJsonObject("relative_errors");
        assertEquals(6, errors.size());
        double e = errors.get("model.layers.1.mlp.down_proj").getAsDouble();
        assertTrue(e > 0 && e < 1, "rank 3 of 6 loses something: " + e);
        assertEquals(3, PeftFiles.read(tmp.resolve("svd")).settings().r());
        assertEquals(errors, Json.read(tmp.resolve("svd/merge.json")).getAsJsonObject().get("relative_errors"));
    }

    @Test
    void soupAndFull() throws Exception {
        assertEquals(0, CliRun.of("merge", "--adapters", dir("runs/a/adapters"), "--soup", "--out", dir("soup")).exit());
        assertEquals(2, PeftFiles.read(tmp.resolve("soup")).settings().r());
        CliRun r = CliRun.of("merge", "--adapters", dir("runs/a/adapters"), dir("runs/b/adapters"), "--full", "--model",
                base.toString(), "--out", dir("full"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isRegularFile(tmp.resolve("full/model.safetensors.index.json")));
        assertTrue(Files.isRegularFile(tmp.resolve("full/merge.json")));
        try (LlamaModel m = LlamaCheckpoint.load(tmp.resolve("full"), ai.djl.Device.cpu())) {
            assertEquals(config, m.config());
        }
        CliRun g = CliRun.of("generate", "--model", dir("full"), "--prompt", "Hi", "--max-new-tokens", "2");
        assertEquals(0, g.exit(), g.err());
    }

    @Test
    void hostileUsersGetOneLineAndExitTwo() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin/adapter-0"));
        Files.write(bin.resolve("adapter_model.bin"), new byte[] {(byte) 0x80, 2, 0x7d});
        PeftFiles.write(tmp.resolve("qk/adapter-7"), TestAdapters.random(config, List.of("q_proj", "k_proj"), 2, 4, 1));
        PeftFiles.write(tmp.resolve("copy/adapter-1"), members.get(1));
        Files.createDirectories(tmp.resolve("notmine"));
        Files.writeString(tmp.resolve("notmine/thesis.tex"), "precious");
        String a = dir("runs/a/adapters");
        refused("nowhere", "merge", "--adapters", dir("nowhere"));
        refused("adapter_model.bin", "merge", "--adapters", dir("bin"));
        refused("--svd 0", "merge", "--adapters", a, "--svd", "0");
        refused("--full needs --model", "merge", "--adapters", a, "--full");
        refused("--soup and --svd", "merge", "--adapters", a, "--soup", "--svd", "2");
        refused("different modules", "merge", "--adapters", a, dir("qk"));
        refused("qk", "merge", "--adapters", a, dir("qk"));
        refused("both member 1", "merge", "--adapters", a, dir("copy"));
        refused("overlaps", "merge", "--adapters", a, "--out", dir("runs/a/adapters/merged"));
        refused("overlaps", "merge", "--adapters", a, "--full", "--model", base.toString(), "--out", base.toString());
        refused("holds no merge.json", "merge", "--adapters", a, "--out", dir("notmine"));
        assertEquals("precious", Files.readString(tmp.resolve("notmine/thesis.tex")));
        refused("model folder not found", "merge", "--adapters", a, "--model", dir("nomodel"));
        Path other = tmp.resolve("other");
        assertEquals(0, CliRun.of("tiny-llama", "--out", other.toString(), "--layers", "1").exit());
        refused("num_hidden_layers", "merge", "--adapters", a, "--model", other.toString(), "--full", "--out",
                dir("x"));
        assertFalse(Files.exists(tmp.resolve("x")));
        refused("--svd", "merge", "--adapters", a, "--svd", "two");
    }

    private static void refused(String mention, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.exit(), r.err());
        String[] lines = r.err().strip().split("\\R");
        assertTrue(lines[0].startsWith("error: ") && lines[0].contains(mention), r.err());
        assertTrue(lines.length == 1 || lines[1].startsWith("(see: pocmerge"), r.err());
    }
}
