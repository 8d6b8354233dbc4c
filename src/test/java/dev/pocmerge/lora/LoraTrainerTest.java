package dev.pocmerge.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run loop: members independent of M, resume == uninterrupted, validation keeps the best. */
class LoraTrainerTest {
    @TempDir
    Path tmp;

    static FinetuneConfig config(int m, int[] members, int maxSteps, int saveSteps, int valSize) {
        return new FinetuneConfig("mem", "data", m, members, 4, 8, 0.05, "q_proj,k_proj,v_proj,up_proj,down_proj",
                3e-3, 1e-4, 0.0, 1, 4, 2, 2, maxSteps, 1.0, 64, true, valSize, 2, saveSteps, 2, 7, "f32", false);
    }

    static List<TrainExample> data(LlamaConfig c) {
        return LoraFixtures.examples(40, 4, 12, c.vocabSize(), 21);
    }

    private Map<String, LoraAdapter> train(LlamaModel model, FinetuneConfig cfg, Path dir, Integer crashAfter,
            boolean resume) {
        Map<String, LoraAdapter> out = new TreeMap<>();
        try (LoraTrainer t = new LoraTrainer(model, cfg, data(model.config()), dir, "mem")) {
            if (crashAfter != null) {
                t.stopAfter(crashAfter);
            }
            t.run(resume, (d, a) -> out.put(d.getFileName().toString(), a), null);
        }
        return out;
    }

    @Test
    void memberAloneEqualsMemberInsideTheBatchedRun() {
        LlamaConfig c = LoraFixtures.gqa();
        try (LlamaModel model = LoraFixtures.model(c, 5, DataType.FLOAT32)) {
            Map<String, LoraAdapter> all = train(model, config(5, new int[] {0, 2, 4}, 5, 100, 4), tmp.resolve("all"),
                    null, false);
            assertEquals(List.of("adapter-0", "adapter-2", "adapter-4"), List.copyOf(all.keySet()));
            for (int m : new int[] {2, 4}) {
                Map<String, LoraAdapter> alone = train(model, config(5, new int[] {m}, 5, 100, 4),
                        tmp.resolve("alone-" + m), null, false);
                assertClose(all.get("adapter-" + m), alone.get("adapter-" + m), 1e-5);
            }
            assertDiffer(all.get("adapter-0"), all.get("adapter-2")); // members are not copies of each other
        }
    }

    @Test
    void resumedRunEndsBitIdenticalToTheUninterruptedOne() {
        LlamaConfig c = LoraFixtures.gqa();
        try (LlamaModel model = LoraFixtures.model(c, 6, DataType.FLOAT32)) {
            FinetuneConfig cfg = config(2, new int[] {0, 1}, 7, 2, 4);
            Map<String, LoraAdapter> whole = train(model, cfg, tmp.resolve("whole"), null, false);
            Path run = tmp.resolve("killed");
            train(model, cfg, run, 5, false); // "killed" after step 5: the last checkpoint is step 4
            assertTrue(Files.isDirectory(run.resolve("checkpoints/checkpoint-4")));
            Map<String, LoraAdapter> resumed = train(model, cfg, run, null, true);
            assertClose(whole.get("adapter-0"), resumed.get("adapter-0"), 0);
            assertClose(whole.get("adapter-1"), resumed.get("adapter-1"), 0);
            List<String> a = lines(tmp.resolve("whole/metrics.jsonl"));
            List<String> b = lines(run.resolve("metrics.jsonl"));
            assertEquals(a.size(), b.size(), "no metrics line lost or doubled");
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).replaceAll("\"tokens_per_s\":[^}]*", ""),
                        b.get(i).replaceAll("\"tokens_per_s\":[^}]*", ""));
            }
        }
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static void assertClose(LoraAdapter x, LoraAdapter y, double rel) {
        assertEquals(x.modules().keySet(), y.modules().keySet());
        for (ModuleKey k : x.modules().keySet()) {
            LoraFactors a = x.modules().get(k);
            LoraFactors b = y.modules().get(k);
            if (rel == 0) {
                assertArrayEquals(a.a(), b.a(), k + " A");
                assertArrayEquals(a.b(), b.b(), k + " B");
            } else {
                close(a.a(), b.a(), rel, k + " A");
                close(a.b(), b.b(), rel, k + " B");
            }
        }
    }

    private static void close(float[] a, float[] b, double rel, String what) {
        double scale = 0;
        for (float v : a) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 0, what + " is all zero");
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], rel * scale, what + "[" + i + "]");
        }
    }

    private static void assertDiffer(LoraAdapter x, LoraAdapter y) {
        ModuleKey k = x.modules().firstKey();
        assertNotEquals(x.modules().get(k).a()[0], y.modules().get(k).a()[0]);
    }
}
