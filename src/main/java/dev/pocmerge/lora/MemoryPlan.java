package dev.pocmerge.lora;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.lora.LoraTargets.Target;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How many bytes a LoRA ensemble run needs on one device, counted from the config and the code as it is
 * (the {@code plan} command). Parts:
 * <ul>
 *   <li>the frozen base as {@code LlamaWeights} holds it: one copy of every linear weight as Wᵀ in the base
 *       dtype, the embedding, float32 norms, and with a tied head a second, transposed copy of the embedding;</li>
 *   <li>the M adapters (float32), their gradients, Adam's two moments and the best-adapter copy the trainer
 *       keeps when validation is on;</li>
 *   <li>activations of the trainer's step, from {@link ForwardTensors}: DJL frees an op's result only when the
 *       step's manager closes, so everything the forward creates stays until the optimizer has run, and the
 *       trainer opens one manager for all micro-batches of an optimizer step;</li>
 *   <li>the backward's gradient buffers and the optimizer's temporaries (clipping, the noise, NoisyAdamW's
 *       nine per-parameter temporaries, all kept until its step ends);</li>
 *   <li>on a GPU, the CUDA context and the caching allocator's slack: {@link #CUDA_CONTEXT} plus
 *       {@link #ALLOCATOR_SLACK} of the tensor bytes (a stated allowance, not a measurement).</li>
 * </ul>
 * The peak is {@code fixed + held + max(backward, optimizer)}: the held activations are alive in both phases.
 */
public final class MemoryPlan {
    public static final long GIB = 1L << 30;
    /** CUDA context, cuBLAS workspace and libtorch's loaded kernels. */
    public static final long CUDA_CONTEXT = GIB;
    public static final double ALLOCATOR_SLACK = 0.10;
    /** Optimizer temporaries per LoRA parameter: the clip's square, the stacked noise, NoisyAdamW's nine. */
    static final int OPTIMIZER_TEMPORARIES = 11;

    /** What the run would be: a config.json and the finetune options that change memory. */
    public record Options(LlamaConfig config, int ensembleSize, int rank, String targets, int microBatchSize,
            int batchSize, int cutoffLen, String baseDtype, boolean recompute, double dropout, boolean validation,
            long gpuMemory) {
        public Options {
            need(ensembleSize >= 1, "--M " + ensembleSize + ": must be ≥ 1");
            need(rank >= 1, "--rank " + rank + ": must be ≥ 1");
            need(microBatchSize >= 1, "--micro-batch-size " + microBatchSize + ": must be ≥ 1");
            need(batchSize >= microBatchSize && batchSize % microBatchSize == 0,
                    "--batch-size " + batchSize + ": must be a multiple of --micro-batch-size " + microBatchSize);
            need(cutoffLen >= 2, "--cutoff-len " + cutoffLen + ": must be ≥ 2");
            need(baseDtype.equals("f16") || baseDtype.equals("f32"), "--base-dtype " + baseDtype + ": f16 or f32");
            need(dropout >= 0 && dropout < 1, "--dropout " + dropout + ": must lie in [0, 1)");
            need(gpuMemory > 0, "--gpu-memory must be > 0");
        }

        /** Paper settings (Appendix B.3): M 8, r 32, the default targets, micro-batch 16, T 256, f16, 80 GiB. */
        public static Options paper(LlamaConfig c) {
            return new Options(c, 8, 32, LoraTargets.DEFAULT, 16, 16, 256, "f16", false, 0.05, true, 80 * GIB);
        }

        public Options withRecompute(boolean r) {
            return new Options(config, ensembleSize, rank, targets, microBatchSize, batchSize, cutoffLen, baseDtype, r,
                    dropout, validation, gpuMemory);
        }

        int linBytes() {
            return baseDtype.equals("f16") ? 2 : 4;
        }

        int accumulation() {
            return batchSize / microBatchSize;
        }
    }

    /**
     * Activation bytes of one optimizer step: {@code held} stays until the step ends (the optimizer runs on top
     * of it); {@code backward} is the extra peak inside the backward (graph-only copies, gradient buffers).
     */
    public record Activations(long held, long backward) {}

    /** Everything {@code plan} prints; bytes. */
    public record Plan(Options options, long tokensPerForward, long loraParametersPerMember, long base, long lora,
            long gradients, long moments, long bestCopy, Activations plain, Activations recompute,
            Activations plainReleased, Activations recomputeReleased, long optimizerTemporaries,
            Map<String, Long> plainByPart) {

        /** Base, adapters, gradients, moments, best copy. */
        public long fixed() {
            return base + lora + gradients + moments + bestCopy;
        }

        /** Tensor bytes at the step's peak in the chosen mode (no CUDA allowance). */
        public long tensorPeak(Activations a) {
            return fixed() + a.held() + Math.max(a.backward(), optimizerTemporaries);
        }

        public long tensorPeak() {
            return tensorPeak(chosen());
        }

        public Activations chosen() {
            return options.recompute() ? recompute : plain;
        }

        /** {@link #tensorPeak} plus the CUDA context and allocator allowance. */
        public long devicePeak(Activations a) {
            long t = tensorPeak(a);
            return t + CUDA_CONTEXT + (long) (ALLOCATOR_SLACK * t);
        }

        public boolean fits(Activations a) {
            return devicePeak(a) <= options.gpuMemory();
        }
    }

    private MemoryPlan() {}

    public static Plan of(Options o) {
        LlamaConfig c = o.config();
        List<Target> targets = LoraTargets.parse(o.targets(), c);
        for (Target t : targets) {
            need(o.rank() <= Math.min(t.in(), t.out()), "--rank " + o.rank() + " exceeds min(in, out) = "
                    + Math.min(t.in(), t.out()) + " of " + t.key().path());
        }
        long perMember = 0;
        for (Target t : targets) {
            perMember += (long) o.rank() * (t.in() + t.out());
        }
        long p = perMember * o.ensembleSize() * 4;
        ForwardTensors ft = new ForwardTensors(c, o.ensembleSize(), o.microBatchSize(), o.cutoffLen(), o.rank(),
                o.dropout(), o.linBytes());
        List<Set<String>> perLayer = modulesPerLayer(targets, c.numHiddenLayers());
        Map<String, Long> parts = new LinkedHashMap<>();
        return new Plan(o, ft.tokens(), perMember, baseBytes(c, o.linBytes()), p, p, 2 * p, o.validation() ? p : 0,
                plain(ft, perLayer, o.accumulation(), parts), recompute(ft, perLayer, o.accumulation()),
                plainReleased(ft, perLayer), recomputeReleased(ft, perLayer), OPTIMIZER_TEMPORARIES * p, parts);
    }

    /** Bytes of the frozen weights as LlamaWeights holds them. */
    public static long baseBytes(LlamaConfig c, int linBytes) {
        long bytes = 0;
        for (Map.Entry<String, long[]> e : c.parameterShapes().entrySet()) {
            long numel = 1;
            for (long d : e.getValue()) {
                numel *= d;
            }
            bytes += numel * (e.getKey().endsWith("norm.weight") ? 4 : linBytes);
        }
        if (c.tieWordEmbeddings()) { // lm_head is a contiguous transposed copy of the embedding
            bytes += (long) c.vocabSize() * c.hiddenSize() * linBytes;
        }
        return bytes;
    }

    /** The code's plain step: every micro-batch's held tensors stay; the graph lives until its backward. */
    private static Activations plain(ForwardTensors ft, List<Set<String>> layers, int acc, Map<String, Long> parts) {
        List<ForwardTensors.Tensor> all = new ArrayList<>(ft.prepare());
        boolean grad = false;
        for (Set<String> mods : layers) {
            all.addAll(ft.layer(mods, grad, true));
            grad |= !mods.isEmpty();
        }
        all.addAll(ft.head());
        long held = 0;
        long graph = 0;
        for (ForwardTensors.Tensor x : all) {
            long b = x.held() ? x.bytes() : x.saved() ? x.bytes() : 0;
            held += x.held() ? x.bytes() : 0;
            graph += !x.held() && x.saved() ? x.bytes() : 0;
            parts.merge(x.part(), b, Long::sum);
        }
        return new Activations(acc * held, graph + ft.backwardTransient());
    }

    /**
     * The code's --recompute step: the forward without a graph still holds every intermediate; the backward
     * then recomputes each layer under autograd in the same manager, so every layer's tensors exist twice by
     * the time layer 0 is done, plus one input gradient (n·H) per layer.
     */
    private static Activations recompute(ForwardTensors ft, List<Set<String>> layers, int acc) {
        long held = heldOf(ft.prepare()) + heldOf(ft.head());
        long graph = 0;
        for (Set<String> mods : layers) {
            List<ForwardTensors.Tensor> l = ft.layer(mods, true, true);
            held += heldOf(ft.layer(mods, true, false)) + heldOf(l) + ft.hiddenBytes();
            graph = Math.max(graph, graphOnlyOf(l));
        }
        return new Activations(acc * held, graph + ft.backwardTransient());
    }

    /**
     * Estimate for a plain step with one sub-manager per decoder layer (and one for the head), closed once the
     * layer's output is attached to the step: each layer leaves only what autograd saves, plus its output.
     */
    private static Activations plainReleased(ForwardTensors ft, List<Set<String>> layers) {
        long saved = 0;
        long layerPeak = 0;
        boolean grad = false;
        for (Set<String> mods : layers) {
            List<ForwardTensors.Tensor> l = ft.layer(mods, grad, true);
            long s = savedOf(l);
            saved += s;
            layerPeak = Math.max(layerPeak, heldOf(l) + graphOnlyOf(l) - s);
            grad |= !mods.isEmpty();
        }
        List<ForwardTensors.Tensor> head = ft.head();
        long keep = heldOf(ft.prepare()) + layers.size() * ft.hiddenBytes();
        long peak = Math.max(layerPeak, Math.max(heldOf(head), savedOf(head) + ft.backwardTransient()));
        // the layer outputs stay attached to the step after the backward; the rest of the saved set dies with the graph
        return new Activations(keep, saved - layers.size() * ft.hiddenBytes() + peak);
    }

    /**
     * Estimate for --recompute with one sub-manager per layer (closed after the layer's forward, and after its
     * recomputed backward): the layer inputs, the prepared tables, the head's graph, one layer at a time.
     */
    private static Activations recomputeReleased(ForwardTensors ft, List<Set<String>> layers) {
        long keep = heldOf(ft.prepare()) + layers.size() * ft.hiddenBytes();
        long layer = 0;
        for (Set<String> mods : layers) {
            List<ForwardTensors.Tensor> l = ft.layer(mods, true, true);
            layer = Math.max(layer, heldOf(l) + graphOnlyOf(l) + 2 * ft.hiddenBytes());
        }
        long head = heldOf(ft.head());
        return new Activations(0, keep + Math.max(head, layer) + ft.backwardTransient());
    }

    private static long heldOf(List<ForwardTensors.Tensor> ts) {
        return ts.stream().filter(ForwardTensors.Tensor::held).mapToLong(ForwardTensors.Tensor::bytes).sum();
    }

    private static long graphOnlyOf(List<ForwardTensors.Tensor> ts) {
        return ts.stream().filter(x -> !x.held() && x.saved()).mapToLong(ForwardTensors.Tensor::bytes).sum();
    }

    private static long savedOf(List<ForwardTensors.Tensor> ts) {
        return ts.stream().filter(ForwardTensors.Tensor::saved).mapToLong(ForwardTensors.Tensor::bytes).sum();
    }

    private static List<Set<String>> modulesPerLayer(List<Target> targets, int layers) {
        List<Set<String>> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            out.add(new HashSet<>());
        }
        for (Target t : targets) {
            out.get(t.key().layer()).add(t.key().module());
        }
        return out;
    }

    private static void need(boolean ok, String message) {
        if (!ok) {
            throw new PocmergeException(message);
        }
    }
}
