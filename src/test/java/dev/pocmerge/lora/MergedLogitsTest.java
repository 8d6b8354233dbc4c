package dev.pocmerge.lora;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.io.Dtype;
import dev.pocmerge.io.PeftFiles;
import dev.pocmerge.llama.LinearHook;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.TinyLlama;
import dev.pocmerge.llama.TokenBatch;
import dev.pocmerge.lora.LoraTargets.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merge in weight space against the adapters applied as they were trained: merged full weights, the cat
 * adapter through the hook, and the M adapters averaged through the hook give the same logits; the inference
 * hook equals the training hook.
 */
class MergedLogitsTest {
    @TempDir
    Path tmp;

    static LoraAdapter random(List<Target> targets, int rank, double alpha, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        TreeMap<ModuleKey, LoraFactors> mods = new TreeMap<>();
        for (Target t : targets) {
            float[] a = new float[rank * t.in()];
            float[] b = new float[t.out() * rank];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (r.nextGaussian() / Math.sqrt(t.in()));
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (0.2 * r.nextGaussian());
            }
            mods.put(t.key(), new LoraFactors(rank, t.in(), t.out(), a, b));
        }
        return new LoraAdapter(new LoraSettings(rank, alpha, 0.0, List.of("q_proj", "v_proj", "down_proj"), "base"), mods);
    }

    private static float[] logits(LlamaModel m, LinearHook hook, long[] ids) {
        try (NDManager sm = m.weights().manager().newSubManager()) {
            NDArray l = m.forward(sm, TokenBatch.of(ids), null, hook, false);
            return l.toFloatArray();
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void fullWeightsCatAdapterAndAveragedAdaptersGiveTheSameLogits() {
        Path base = tmp.resolve("base");
        TinyLlama.Options o = TinyLlama.Options.defaults();
        LlamaConfig c = TinyLlama.write(base, new TinyLlama.Options(3, o.hidden(), o.intermediate(), o.layers(),
                o.heads(), o.kvHeads(), 0, Dtype.F32, false, null, 2));
        List<Target> targets = LoraTargets.parse("q_proj,v_proj,down_proj", c);
        List<LoraAdapter> members = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            members.add(random(targets, 4, 8 + 4 * m, 100 + m)); // different α: the merge must weigh each by α/r
        }
        LoraAdapter cat = AdapterMerge.cat(members);
        PeftFiles.write(tmp.resolve("cat"), cat);
        LoraAdapter catRead = PeftFiles.read(tmp.resolve("cat"));
        AdapterMerge.full(base, cat, tmp.resolve("full"));
        long[] ids = {1, 40, 77, 9, 130, 201, 5, 66};
        float[] viaFull;
        try (LlamaModel merged = LlamaCheckpoint.load(tmp.resolve("full"), Device.cpu())) {
            viaFull = logits(merged, LinearHook.NONE, ids);
        }
        try (LlamaModel m = LlamaCheckpoint.load(base, Device.cpu())) {
            float[] plain = logits(m, LinearHook.NONE, ids);
            float[] averaged;
            float[] viaCat;
            try (AdapterHook h = AdapterHook.weighted(m.weights().manager(), members, new double[] {1 / 3.0, 1 / 3.0,
                    1 / 3.0}, DataType.FLOAT32)) {
                averaged = logits(m, h, ids);
            }
            try (AdapterHook h = AdapterHook.sum(m.weights().manager(), List.of(catRead), DataType.FLOAT32)) {
                viaCat = logits(m, h, ids);
            }
            assertTrue(maxDiff(plain, averaged) > 1e-2, "the adapters change the logits: " + maxDiff(plain, averaged));
            assertTrue(maxDiff(averaged, viaCat) < 2e-5, "cat adapter vs averaged: " + maxDiff(averaged, viaCat));
            assertTrue(maxDiff(averaged, viaFull) < 2e-5, "full weights vs averaged: " + maxDiff(averaged, viaFull));

            // the inference hook equals the training hook (eval mode) for one member
            try (NDManager root = m.weights().manager().newSubManager();
                    LoraEnsemble e = new LoraEnsemble(root, targets, new int[] {0}, 4, 8, 0.05, new MemberStreams(1),
                            DataType.FLOAT32);
                    AdapterHook h = AdapterHook.sum(m.weights().manager(), List.of(members.get(0)), DataType.FLOAT32)) {
                members.get(0).modules().forEach((k, f) -> e.assign(0, k, f));
                double d = maxDiff(logits(m, e.evalHook(), ids), logits(m, h, ids));
                assertTrue(d < 2e-5, "training hook vs inference hook: " + d);
                LoraAdapter back = e.adapter(0, "base", c.numHiddenLayers());
                for (ModuleKey k : back.modules().keySet()) {
                    assertTrue(java.util.Arrays.equals(back.modules().get(k).b(), members.get(0).modules().get(k).b()));
                }
            }
        }
    }
}
