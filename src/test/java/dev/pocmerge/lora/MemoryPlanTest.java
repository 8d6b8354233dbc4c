package dev.pocmerge.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.ProcessMemory;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaNames;
import dev.pocmerge.llama.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** plan's arithmetic: exact parameter bytes on Llama-2-7B, the base as loaded, and activations against RSS. */
class MemoryPlanTest {
    private static final LlamaConfig LLAMA2 = LlamaConfig.load(Path.of("models/llama-2-7b/config.json"));

    @Test
    void parameterPartOfLlama2_7bIsExact() {
        MemoryPlan.Plan p = MemoryPlan.of(MemoryPlan.Options.paper(LLAMA2));
        // embed_tokens and lm_head 32000×4096, per layer q,k,v,o 4096×4096, gate,up,down 4096×11008, all f16;
        // two norms per layer and the final norm, 4096 float32 each
        long embed = 32000L * 4096 * 2;
        long layer = 4L * 4096 * 4096 * 2 + 3L * 4096 * 11008 * 2 + 2L * 4096 * 4;
        assertEquals(2 * embed + 32 * layer + 4096L * 4, p.base());
        assertEquals(13_477_363_712L, p.base());
        // r·(in + out) per module: q, k, v 32·8192, up and down 32·(4096 + 11008), 32 layers
        long perMember = 32L * (3 * 32 * 8192 + 2 * 32 * 15104);
        assertEquals(56_098_816L, perMember);
        assertEquals(perMember, p.loraParametersPerMember());
        long bytes = 8 * perMember * 4;
        assertEquals(1_795_162_112L, bytes);
        assertEquals(bytes, p.lora());
        assertEquals(bytes, p.gradients());
        assertEquals(2 * bytes, p.moments());
        assertEquals(bytes, p.bestCopy());
        assertEquals(11 * bytes, p.optimizerTemporaries());
        MemoryPlan.Options f32 = new MemoryPlan.Options(LLAMA2, 8, 32, LoraTargets.DEFAULT, 16, 16, 256, "f32", false,
                0.05, false, 80 * MemoryPlan.GIB);
        MemoryPlan.Plan q = MemoryPlan.of(f32);
        assertEquals(6_738_415_616L * 4, q.base()); // every tensor float32: 4 bytes per parameter
        assertEquals(0, q.bestCopy());
        assertEquals(8L * 16 * 256, q.tokensPerForward());
    }

    @Test
    void baseBytesAreWhatLlamaWeightsHolds() {
        for (boolean tied : new boolean[] {false, true}) {
            LlamaConfig c = TestModels.config(48, 80, 2, 6, 2, 8, 97, tied, 10000, null);
            for (DataType dt : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
                try (LlamaModel m = RandomBase.model(c, 1, Device.cpu(), dt)) {
                    List<String> names = new ArrayList<>(c.parameterShapes().keySet());
                    if (tied) {
                        names.add(LlamaNames.LM_HEAD); // the transposed copy of the embedding
                    }
                    long held = 0;
                    for (String n : names) {
                        NDArray a = m.weights().get(n);
                        held += a.size() * a.getDataType().getNumOfBytes();
                    }
                    assertEquals(held, MemoryPlan.baseBytes(c, dt == DataType.FLOAT16 ? 2 : 4), tied + " " + dt);
                }
            }
        }
        LlamaConfig untied = TestModels.config(48, 80, 2, 6, 2, 8, 97, false, 10000, null);
        LlamaConfig tiedC = TestModels.config(48, 80, 2, 6, 2, 8, 97, true, 10000, null);
        assertEquals(MemoryPlan.baseBytes(untied, 2), MemoryPlan.baseBytes(tiedC, 2), "a tied head costs a full copy");
    }

    /** The tiny model of the size, stepped once in a fresh JVM (its own VmHWM). */
    private static LoraBench.Config measured(boolean recompute, String base) {
        return new LoraBench.Config(256, 512, 4, 8, 4, 1024, 128, 4, 4, 32, 64, LoraTargets.DEFAULT, 0.0, 1e-5, recompute,
                0, 1, 64, 0, base);
    }

    @Test
    void planIsWithin25PercentOfMeasuredRss() {
        assumeTrue(ProcessMemory.available(), "needs /proc/self/status (Linux)");
        String[] names = {"plain", "recompute", "plain, float16 base"};
        double[] ratio = new double[names.length];
        for (int i = 0; i < names.length; i++) {
            LoraBench.Config cfg = measured(i == 1, i == 2 ? "f16" : "f32");
            LoraBench.Measured m = LoraBench.child(BenchRun.BATCHED, cfg);
            long rss = m.peakRss() - m.baselineRss();
            long planned = LoraBench.plan(cfg, cfg.members()).tensorPeak();
            ratio[i] = (double) rss / planned;
            System.out.printf("memory plan check (%s): measured %.1f MiB over the start, plan %.1f MiB, ratio %.3f%n",
                    names[i], LoraBench.mib(rss), LoraBench.mib(planned), ratio[i]);
            // the peak over the JVM's start: base + ensemble + optimizer + one trainer step, libtorch's
            // allocations plus malloc's and the Java heap's slack, which the plan does not count
            assertTrue(Math.abs(ratio[i] - 1) <= 0.25, names[i] + ": measured " + rss
                    + " B over the start, plan " + planned + " B (ratio " + ratio[i] + ")");
        }
        // today's --recompute keeps the recomputed layers in the step's manager too: more memory, not less.
        // If EnsembleStep changes that, MemoryPlan.recompute must change with it, and this line tells.
        assertTrue(LoraBench.plan(measured(true, "f32"), 4).tensorPeak()
                > LoraBench.plan(measured(false, "f32"), 4).tensorPeak());
    }

    @Test
    void badOptionsAreOneLineErrors() {
        MemoryPlan.Options ok = MemoryPlan.Options.paper(LLAMA2);
        PocmergeException e = assertThrows(PocmergeException.class, () -> MemoryPlan.of(new MemoryPlan.Options(LLAMA2, 8,
                5000, LoraTargets.DEFAULT, 16, 16, 256, "f16", false, 0.05, true, ok.gpuMemory())));
        assertTrue(e.getMessage().startsWith("--rank 5000 exceeds min(in, out) = 4096"), e.getMessage());
        assertThrows(PocmergeException.class, () -> new MemoryPlan.Options(LLAMA2, 8, 32, LoraTargets.DEFAULT, 16, 24,
                256, "f16", false, 0.05, true, ok.gpuMemory()));
        assertThrows(PocmergeException.class, () -> new MemoryPlan.Options(LLAMA2, 8, 32, LoraTargets.DEFAULT, 16, 16,
                256, "bf16", false, 0.05, true, ok.gpuMemory()));
        assertThrows(PocmergeException.class, () -> MemoryPlan.of(new MemoryPlan.Options(LLAMA2, 8, 32, "q_proj,lm_head",
                16, 16, 256, "f16", false, 0.05, true, ok.gpuMemory())));
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void activationsScaleWithTokensAndRecomputeAccountsForTodaysCode() {
        MemoryPlan.Plan p16 = MemoryPlan.of(MemoryPlan.Options.paper(LLAMA2));
        MemoryPlan.Options o8 = new MemoryPlan.Options(LLAMA2, 8, 32, LoraTargets.DEFAULT, 8, 8, 256, "f16", false, 0.05,
                true, 80 * MemoryPlan.GIB);
        MemoryPlan.Plan p8 = MemoryPlan.of(o8);
        // a forward's activations are linear in the rows at fixed T; on a float16 base each training forward
        // also holds a float32 copy of every projection and of lm_head (FrozenLinear under a collector)
        long copies = (6_738_415_616L - (32L * 2 * 4096 + 4096) - 32000L * 4096) * 4;
        assertEquals(copies, 2 * p8.plain().held() - p16.plain().held());
        // gradient accumulation: the trainer's step manager keeps every micro-batch's forward
        MemoryPlan.Plan acc = MemoryPlan.of(new MemoryPlan.Options(LLAMA2, 8, 32, LoraTargets.DEFAULT, 8, 32, 256, "f16",
                false, 0.05, true, 80 * MemoryPlan.GIB));
        assertEquals(4 * p8.plain().held(), acc.plain().held());
        assertTrue(p16.recomputeReleased().backward() < p16.plainReleased().backward());
        assertFalse(p16.fits(p16.plain()));
    }
}
