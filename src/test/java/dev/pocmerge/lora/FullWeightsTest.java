package dev.pocmerge.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.io.Checkpoints;
import dev.pocmerge.io.Dtype;
import dev.pocmerge.io.Halfs;
import dev.pocmerge.io.SafetensorsFile;
import dev.pocmerge.io.TensorSource;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaNames;
import dev.pocmerge.llama.TinyLlama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code merge --full}: W0 + ΔW written in the base's exact layout, loadable by our Llama loader. */
class FullWeightsTest {
    static final List<String> TARGETS = List.of("q_proj", "k_proj", "v_proj", "up_proj", "down_proj");

    @TempDir
    Path tmp;

    private LlamaConfig base(Path dir, Dtype dtype, int shards) {
        TinyLlama.Options d = TinyLlama.Options.defaults();
        return TinyLlama.write(dir, new TinyLlama.Options(11, d.hidden(), d.intermediate(), d.layers(), d.heads(),
                d.kvHeads(), 0, dtype, false, null, shards));
    }

    @Test
    void threeBf16ShardsKeepTheirLayoutAndGetW0PlusDelta() throws Exception {
        check(Dtype.BF16, 3);
    }

    @Test
    void oneF32FileGetsW0PlusDelta() throws Exception {
        check(Dtype.F32, 1);
    }

    private void check(Dtype dtype, int shards) throws Exception {
        Path baseDir = tmp.resolve("base");
        LlamaConfig c = base(baseDir, dtype, shards);
        List<LoraAdapter> ms = List.of(TestAdapters.random(c, TARGETS, 4, 8, 1), TestAdapters.random(c, TARGETS, 4, 8, 2));
        LoraAdapter merged = AdapterMerge.cat(ms);
        Path out = tmp.resolve("merged-full");
        AdapterMerge.full(baseDir, merged, out);

        assertEquals(listing(baseDir), listing(out), "same files");
        for (String f : List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")) {
            assertArrayEquals(Files.readAllBytes(baseDir.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
        if (shards > 1) {
            assertArrayEquals(Files.readAllBytes(baseDir.resolve(Checkpoints.INDEX)),
                    Files.readAllBytes(out.resolve(Checkpoints.INDEX)), "index: same tensor -> shard map");
        }
        int changed = 0;
        try (TensorSource b = Checkpoints.open(baseDir); TensorSource o = Checkpoints.open(out)) {
            assertEquals(b.names(), o.names(), "same tensors in the same order");
            for (String n : b.names()) {
                assertEquals(b.info(n).dtype(), o.info(n).dtype(), n);
                assertArrayEquals(b.info(n).shape(), o.info(n).shape(), n);
                assertEquals(b.info(n).file().getFileName(), o.info(n).file().getFileName(), n + ": same shard");
                assertEquals(b.info(n).begin(), o.info(n).begin(), n + ": same offset");
                ModuleKey k = key(n);
                if (k == null) {
                    assertArrayEquals(b.readFloats(n), o.readFloats(n), n + " copied through");
                    continue;
                }
                changed++;
                float[] w0 = b.readFloats(n);
                float[] got = o.readFloats(n);
                double[][] delta = AdapterMergeTest.poc(ms, k);
                int in = delta[0].length;
                for (int i = 0; i < got.length; i++) {
                    double want = w0[i] + delta[i / in][i % in];
                    // one rounding to the file dtype (BF16 keeps 8 bits) plus float32 GEMM noise
                    double tol = dtype == Dtype.BF16 ? Math.abs(want) * 0x1p-8 + 1e-6 : 1e-5;
                    assertEquals(want, got[i], tol, n + "[" + i + "]");
                    if (dtype == Dtype.BF16) {
                        assertEquals(got[i], Halfs.bf16ToFloat(Halfs.floatToBf16(got[i])), "stored as BF16");
                    }
                }
            }
            try (SafetensorsFile f = SafetensorsFile.open(o.info(LlamaNames.EMBED).file())) {
                assertEquals("pt", f.metadata().get("format"));
            }
        }
        assertEquals(2 * TARGETS.size(), changed);

        try (LlamaModel m = LlamaCheckpoint.load(out, Device.cpu())) {
            String n = LlamaNames.linear(1, "up_proj");
            NDArray wt = m.weights().get(n); // Wᵀ (in, out)
            float[] loaded = wt.transpose().toFloatArray();
            try (TensorSource o = Checkpoints.open(out)) {
                assertArrayEquals(o.readFloats(n), loaded, "LlamaCheckpoint loads the merged weights");
            }
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(2, s.count(), "no temp folders left");
        }
    }

    private static ModuleKey key(String tensor) {
        for (int l = 0; l < 2; l++) {
            for (String m : TARGETS) {
                if (tensor.equals(LlamaNames.linear(l, m))) {
                    return new ModuleKey(l, m);
                }
            }
        }
        return null;
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void refusals() {
        Path baseDir = tmp.resolve("base");
        LlamaConfig c = base(baseDir, Dtype.BF16, 1);
        LoraAdapter a = AdapterMerge.cat(List.of(TestAdapters.random(c, TARGETS, 2, 4, 1)));
        assertRefused(() -> AdapterMerge.full(tmp.resolve("missing"), a, tmp.resolve("o")), "missing");
        assertRefused(() -> AdapterMerge.full(baseDir, a, baseDir), "must not be");
        assertRefused(() -> AdapterMerge.full(baseDir, a, baseDir.resolve("sub")), "must not be");
        LoraAdapter wrong = AdapterMerge.cat(List.of(TestAdapters.random(TestAdapters.tinyConfig(), TARGETS, 2, 4, 1)));
        assertRefused(() -> AdapterMerge.full(baseDir, wrong, tmp.resolve("o")), "do not match");
        assertFalse(Files.exists(tmp.resolve("o")), "nothing half-written");
    }

    private static void assertRefused(Runnable r, String mention) {
        PocmergeException e = assertThrows(PocmergeException.class, r::run);
        assertTrue(e.getMessage().contains(mention) && !e.getMessage().contains("\n"), e.getMessage());
    }
}
