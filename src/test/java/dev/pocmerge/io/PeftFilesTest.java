package dev.pocmerge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.lora.LoraAdapter;
import dev.pocmerge.lora.LoraFactors;
import dev.pocmerge.lora.LoraSettings;
import dev.pocmerge.lora.ModuleKey;
import dev.pocmerge.lora.TestAdapters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeftFilesTest {
    static final List<String> TARGETS = List.of("q_proj", "k_proj", "v_proj", "up_proj", "down_proj");

    @TempDir
    Path tmp;

    static LoraAdapter sample() {
        return TestAdapters.random(TestAdapters.tinyConfig(), TARGETS, 4, 64, 7);
    }

    @Test
    void roundTripIsBitExactWithPeftKeysShapesAndMetadata() throws Exception {
        LoraAdapter a = sample();
        Path dir = tmp.resolve("adapter-0");
        PeftFiles.write(dir, a);
        LoraAdapter b = PeftFiles.read(dir);
        assertEquals(a.settings(), b.settings());
        assertEquals(a.modules().keySet(), b.modules().keySet());
        for (Map.Entry<ModuleKey, LoraFactors> e : a.modules().entrySet()) {
            LoraFactors x = e.getValue();
            LoraFactors y = b.modules().get(e.getKey());
            assertArrayEquals(x.a(), y.a(), e.getKey().toString());
            assertArrayEquals(x.b(), y.b(), e.getKey().toString());
        }
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("adapter_model.safetensors"))) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(2 * 2 * TARGETS.size(), f.names().size());
            TensorInfo qa = f.info("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight");
            assertEquals(Dtype.F32, qa.dtype());
            assertArrayEquals(new long[] {4, 32}, qa.shape());
            assertArrayEquals(new long[] {16, 4},
                    f.info("base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight").shape());
            assertArrayEquals(new long[] {32, 4},
                    f.info("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight").shape());
            assertArrayEquals(new long[] {4, 48},
                    f.info("base_model.model.model.layers.0.mlp.down_proj.lora_A.weight").shape());
        }
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(dir), files.toList(), "no temp folder left beside the adapter");
        }
    }

    @Test
    void adapterConfigIsWhatPeftWrites() throws Exception {
        PeftFiles.write(tmp, sample());
        String expected = """
                {
                  "alpha_pattern": {},
                  "auto_mapping": null,
                  "base_model_name_or_path": "models/tiny-llama",
                  "bias": "none",
                  "fan_in_fan_out": false,
                  "inference_mode": true,
                  "init_lora_weights": true,
                  "layer_replication": null,
                  "layers_pattern": null,
                  "layers_to_transform": null,
                  "loftq_config": {},
                  "lora_alpha": 64,
                  "lora_dropout": 0.05,
                  "megatron_config": null,
                  "megatron_core": "megatron.core",
                  "modules_to_save": null,
                  "peft_type": "LORA",
                  "r": 4,
                  "rank_pattern": {},
                  "revision": null,
                  "target_modules": [
                    "q_proj",
                    "k_proj",
                    "v_proj",
                    "up_proj",
                    "down_proj"
                  ],
                  "task_type": "CAUSAL_LM",
                  "use_dora": false,
                  "use_rslora": false
                }""";
        assertEquals(expected, Files.readString(tmp.resolve("adapter_config.json")));
    }

    @Test
    void writingAgainReplacesTheFolderWhole() throws Exception {
        Path dir = tmp.resolve("a");
        PeftFiles.write(dir, sample());
        Files.writeString(dir.resolve("stale.txt"), "x");
        LoraAdapter other = TestAdapters.random(TestAdapters.tinyConfig(), List.of("o_proj"), 2, 4, 9);
        PeftFiles.write(dir, other);
        assertFalse(Files.exists(dir.resolve("stale.txt")));
        assertEquals(other.modules().keySet(), PeftFiles.read(dir).modules().keySet());
    }

    @Test
    void rsLoraIsReadWithItsScaleAlphaOverSqrtR() throws Exception {
        PeftFiles.write(tmp, sample());
        editConfig("\"use_rslora\": false", "\"use_rslora\": true");
        LoraSettings s = PeftFiles.read(tmp).settings();
        assertEquals(64 / Math.sqrt(4), s.scale(), 1e-12);
    }

    @Test
    void hfKeysWithTheAdapterNameAndHalfPrecisionFactorsAreAccepted() throws Exception {
        LoraAdapter a = sample();
        SafetensorsWriter w = new SafetensorsWriter();
        for (Map.Entry<ModuleKey, LoraFactors> e : a.modules().entrySet()) {
            LoraFactors f = e.getValue();
            w.add(e.getKey().peftPrefix() + ".lora_A.default.weight", Dtype.BF16, new long[] {f.rank(), f.in()}, f.a());
            w.add(e.getKey().peftPrefix() + ".lora_B.default.weight", Dtype.F16, new long[] {f.out(), f.rank()}, f.b());
        }
        PeftFiles.write(tmp, a);
        w.write(tmp.resolve("adapter_model.safetensors"));
        LoraAdapter b = PeftFiles.read(tmp);
        ModuleKey k = new ModuleKey(1, "up_proj");
        float[] want = a.modules().get(k).a();
        float[] got = b.modules().get(k).a();
        for (int i = 0; i < want.length; i++) {
            assertEquals(Halfs.bf16ToFloat(Halfs.floatToBf16(want[i])), got[i]);
        }
        assertEquals(Halfs.f16ToFloat(Halfs.floatToF16(a.modules().get(k).b()[3])), b.modules().get(k).b()[3]);
    }

    @Test
    void regexTargetModulesAreReplacedByTheModulesTheFileHolds() throws Exception {
        PeftFiles.write(tmp, sample());
        editConfigRegex("\"target_modules\": \\[[^\\]]*\\]", "\"target_modules\": \".*(q|k|v|up|down)_proj\"");
        assertEquals(TARGETS, PeftFiles.read(tmp).settings().targetModules());
    }

    @Test
    void missingFilesAndPickles() throws Exception {
        assertRefused(() -> PeftFiles.read(tmp.resolve("nope")), "nope", "not found");
        Path file = tmp.resolve("file");
        Files.writeString(file, "x");
        assertRefused(() -> PeftFiles.read(file), "file", "pass the adapter folder");
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertRefused(() -> PeftFiles.read(empty), "empty", "adapter_model.safetensors");
        Path pickle = Files.createDirectory(tmp.resolve("pickle"));
        Files.writeString(pickle.resolve("adapter_config.json"), "{}");
        Files.write(pickle.resolve("adapter_model.bin"), new byte[] {(byte) 0x80, 2});
        assertRefused(() -> PeftFiles.read(pickle), "pickle", "adapter_model.bin");
        Path noConfig = tmp.resolve("noconfig");
        PeftFiles.write(noConfig, sample());
        Files.delete(noConfig.resolve("adapter_config.json"));
        assertRefused(() -> PeftFiles.read(noConfig), "noconfig", "adapter_config.json");
    }

    @Test
    void unsupportedConfigs() throws Exception {
        PeftFiles.write(tmp, sample());
        String good = Files.readString(tmp.resolve("adapter_config.json"));
        String[][] cases = {
            {"\"peft_type\": \"LORA\"", "\"peft_type\": \"PREFIX_TUNING\"", "peft_type"},
            {"\"use_dora\": false", "\"use_dora\": true", "unsupported"},
            {"\"fan_in_fan_out\": false", "\"fan_in_fan_out\": true", "unsupported"},
            {"\"rank_pattern\": {}", "\"rank_pattern\": {\"q_proj\": 8}", "unsupported"},
            {"\"alpha_pattern\": {}", "\"alpha_pattern\": {\"q_proj\": 8}", "unsupported"},
            {"\"modules_to_save\": null", "\"modules_to_save\": [\"lm_head\"]", "unsupported"},
            {"\"layer_replication\": null", "\"layer_replication\": [[0, 1]]", "unsupported"},
            {"\"bias\": \"none\"", "\"bias\": \"all\"", "bias"},
            {"\"init_lora_weights\": true", "\"init_lora_weights\": \"pissa\"", "init_lora_weights"},
            {"\"r\": 4", "\"r\": 0", "field r"},
            {"\"r\": 4,", "", "field r"},
            {"\"lora_alpha\": 64", "\"lora_alpha\": \"64\"", "lora_alpha"},
            {"\"peft_type\": \"LORA\",", "\"peft_type\": \"LORA\", \"lora_bias\": true,", "unsupported"},
            {"\"r\": 4,", "\"r\": 4", "malformed JSON"},
        };
        for (String[] c : cases) {
            Files.writeString(tmp.resolve("adapter_config.json"), good.replace(c[0], c[1]));
            assertRefused(() -> PeftFiles.read(tmp), "adapter_config.json", c[2]);
        }
        Files.writeString(tmp.resolve("adapter_config.json"), "[1]");
        assertRefused(() -> PeftFiles.read(tmp), "adapter_config.json", "not a JSON object");
        Files.writeString(tmp.resolve("adapter_config.json"), good);
        PeftFiles.read(tmp); // the good one still reads
    }

    @Test
    void malformedTensors() {
        LoraFactors f = sample().modules().get(new ModuleKey(0, "q_proj"));
        String p = new ModuleKey(0, "q_proj").peftPrefix();
        assertTensorsRefused(new SafetensorsWriter()
                .add("base_model.model.lm_head.lora_A.weight", Dtype.F32, new long[] {4, 32}, f.a()), "lm_head");
        assertTensorsRefused(new SafetensorsWriter()
                .add(p + ".lora_A.weight", Dtype.F32, new long[] {4, 32}, f.a()), "incomplete");
        assertTensorsRefused(new SafetensorsWriter()
                .add(p + ".lora_A.weight", Dtype.F32, new long[] {2, 64}, f.a())
                .add(p + ".lora_B.weight", Dtype.F32, new long[] {32, 4}, f.b()), "r = 4");
        assertTensorsRefused(new SafetensorsWriter()
                .add(p + ".lora_A.weight", Dtype.F32, new long[] {4, 32}, f.a())
                .add(p + ".lora_B.weight", Dtype.F32, new long[] {64, 2}, f.b()), "r = 4");
        assertTensorsRefused(new SafetensorsWriter()
                .add(p + ".lora_A.weight", Dtype.F32, new long[] {128}, f.a())
                .add(p + ".lora_B.weight", Dtype.F32, new long[] {32, 4}, f.b()), "matrix");
        assertTensorsRefused(new SafetensorsWriter()
                .addRaw(p + ".lora_A.weight", Dtype.I32, new long[] {4, 32}, new byte[4 * 4 * 32])
                .add(p + ".lora_B.weight", Dtype.F32, new long[] {32, 4}, f.b()), "dtype I32");
        assertTensorsRefused(new SafetensorsWriter()
                .add(p + ".lora_A.default.weight", Dtype.F32, new long[] {4, 32}, f.a())
                .add(p + ".lora_B.other.weight", Dtype.F32, new long[] {32, 4}, f.b()), "different adapters");
        assertTensorsRefused(new SafetensorsWriter()
                .add(p + ".lora_magnitude_vector", Dtype.F32, new long[] {128}, f.a()), "DoRA");
        assertTensorsRefused(new SafetensorsWriter()
                .add("base_model.model.model.layers.0.mlp.q_proj.lora_A.weight", Dtype.F32, new long[] {4, 32}, f.a()),
                "not a LoRA factor");
        assertTensorsRefused(new SafetensorsWriter(), "no LoRA tensors");
    }

    private void assertTensorsRefused(SafetensorsWriter w, String mention) {
        Path dir = tmp.resolve("t" + System.nanoTime());
        PeftFiles.write(dir, sample());
        w.write(dir.resolve("adapter_model.safetensors"));
        assertRefused(() -> PeftFiles.read(dir), "adapter_model.safetensors", mention);
    }

    @Test
    void checkFitsNamesTheFolderAndTheTensor() {
        LlamaConfig c = TestAdapters.tinyConfig();
        Path where = Path.of("runs/ft/adapters/adapter-3");
        PeftFiles.checkFits(sample(), c, where);
        LlamaConfig oneLayer = new LlamaConfig(32, 48, 1, 4, 2, 8, 1e-5, 10000, null, 300, false, 2048, List.of(1),
                List.of(2));
        assertRefused(() -> PeftFiles.checkFits(sample(), oneLayer, where), "adapter-3", "layers.1.self_attn.q_proj");
        LlamaConfig wider = new LlamaConfig(32, 64, 2, 4, 2, 8, 1e-5, 10000, null, 300, false, 2048, List.of(1),
                List.of(2));
        assertRefused(() -> PeftFiles.checkFits(sample(), wider, where), "adapter-3", "layers.0.mlp.up_proj");
    }

    @Test
    void anAdapterWithMixedRanksIsNotWritten() {
        SortedMap<ModuleKey, LoraFactors> m = new TreeMap<>();
        m.put(new ModuleKey(0, "q_proj"), TestAdapters.factors(new SplittableRandom(1), 2, 32, 32));
        LoraAdapter a = new LoraAdapter(new LoraSettings(4, 8, 0, List.of("q_proj"), null), m);
        assertThrows(IllegalArgumentException.class, () -> PeftFiles.write(tmp.resolve("x"), a));
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    private void editConfig(String from, String to) throws Exception {
        Path c = tmp.resolve("adapter_config.json");
        String s = Files.readString(c);
        assertTrue(s.contains(from), from);
        Files.writeString(c, s.replace(from, to));
    }

    private void editConfigRegex(String from, String to) throws Exception {
        Path c = tmp.resolve("adapter_config.json");
        Files.writeString(c, Files.readString(c).replaceFirst(from, to));
    }

    static void assertRefused(Runnable r, String file, String mention) {
        PocmergeException e = assertThrows(PocmergeException.class, r::run);
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(m.contains(file), "should name " + file + ": " + m);
        assertTrue(m.contains(mention), "should mention '" + mention + "': " + m);
    }
}
