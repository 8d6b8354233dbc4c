package dev.pocmerge.cli;

import com.google.gson.JsonObject;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.lora.LoraTargets;
import dev.pocmerge.lora.MemoryPlan;
import dev.pocmerge.report.Table;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pocmerge plan}: will a LoRA ensemble run fit one GPU? Bytes of base, adapters, activations. */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Memory of a finetune run from a config.json alone: frozen base, M adapters with gradients and"
                + " Adam moments, activations with and without --recompute, and whether it fits --gpu-memory.")
public final class PlanCommand implements Callable<Integer> {
    private static final Pattern SIZE = Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]i?b?|b)?\\s*");

    @Option(names = "--config", required = true, description = "HF config.json (or the model folder holding it)")
    Path config;

    @Option(names = "--M", defaultValue = "8", description = "ensemble size (default: ${DEFAULT-VALUE})")
    int ensembleSize;

    @Option(names = "--rank", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})")
    int rank;

    @Option(names = "--targets", defaultValue = LoraTargets.DEFAULT, description = "(default: ${DEFAULT-VALUE})")
    String targets;

    @Option(names = "--micro-batch-size", defaultValue = "16", description = "rows per member per forward (default: ${DEFAULT-VALUE})")
    int micro;

    @Option(names = "--batch-size", description = "rows per member per optimizer step (default: the micro-batch size)")
    Integer batch;

    @Option(names = "--cutoff-len", defaultValue = "256", description = "T, tokens per row (default: ${DEFAULT-VALUE})")
    int cutoffLen;

    @Option(names = "--base-dtype", defaultValue = "f16", description = "f16|f32 (default: ${DEFAULT-VALUE})")
    String baseDtype;

    @Option(names = "--recompute", description = "plan for --recompute (both columns are printed either way)")
    boolean recompute;

    @Option(names = "--dropout", defaultValue = "0.05", description = "LoRA dropout: masks cost memory (default: ${DEFAULT-VALUE})")
    double dropout;

    @Option(names = "--val-set-size", defaultValue = "120",
            description = "validation rows per member; > 0 keeps a best-adapter copy (default: ${DEFAULT-VALUE})")
    int valSetSize;

    @Option(names = "--gpu-memory", defaultValue = "80GiB", description = "e.g. 80GiB, 141GB, 24576MiB (default: ${DEFAULT-VALUE})")
    String gpuMemory;

    @Option(names = "--json", description = "print one JSON object instead of the tables")
    boolean json;

    @Override
    public Integer call() {
        LlamaConfig c = LlamaConfig.load(dev.pocmerge.core.InputFiles.fileOrFolder(config, "--config"));
        MemoryPlan.Options o = new MemoryPlan.Options(c, ensembleSize, rank, targets, micro, batch == null ? micro : batch,
                cutoffLen, baseDtype.toLowerCase(Locale.ROOT), recompute, dropout, valSetSize > 0, parseBytes(gpuMemory));
        MemoryPlan.Plan p = MemoryPlan.of(o);
        if (json) {
            System.out.println(Json.COMPACT.toJson(json(p)));
        } else {
            System.out.print(text(p, config.toString()));
        }
        return 0;
    }

    /** {@code 80GiB}, {@code 80 GB}, {@code 81920MiB}, {@code 85899345920}: binary units for *iB, decimal for *B. */
    static long parseBytes(String s) {
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw new PocmergeException("--gpu-memory '" + s + "': give a size like 80GiB, 141GB or 24576MiB");
        }
        double v = Double.parseDouble(m.group(1));
        String u = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        int power = "bkmgt".indexOf(u.charAt(0));
        double base = u.contains("i") ? 1024 : 1000;
        long bytes = (long) (v * Math.pow(base, power));
        if (bytes <= 0) {
            throw new PocmergeException("--gpu-memory '" + s + "': must be > 0");
        }
        return bytes;
    }

    static JsonObject json(MemoryPlan.Plan p) {
        MemoryPlan.Options o = p.options();
        JsonObject j = new JsonObject();
        JsonObject opts = new JsonObject();
        opts.addProperty("M", o.ensembleSize());
        opts.addProperty("rank", o.rank());
        opts.addProperty("targets", o.targets());
        opts.addProperty("micro_batch_size", o.microBatchSize());
        opts.addProperty("batch_size", o.batchSize());
        opts.addProperty("cutoff_len", o.cutoffLen());
        opts.addProperty("base_dtype", o.baseDtype());
        opts.addProperty("recompute", o.recompute());
        opts.addProperty("dropout", o.dropout());
        opts.addProperty("validation", o.validation());
        opts.addProperty("gpu_memory_bytes", o.gpuMemory());
        j.add("options", opts);
        j.addProperty("tokens_per_forward", p.tokensPerForward());
        j.addProperty("lora_parameters_per_member", p.loraParametersPerMember());
        j.addProperty("base_bytes", p.base());
        j.addProperty("lora_bytes", p.lora());
        j.addProperty("gradient_bytes", p.gradients());
        j.addProperty("adam_moment_bytes", p.moments());
        j.addProperty("best_copy_bytes", p.bestCopy());
        j.addProperty("optimizer_temporary_bytes", p.optimizerTemporaries());
        j.add("plain", mode(p, p.plain()));
        j.add("recompute", mode(p, p.recompute()));
        j.add("plain_if_intermediates_released", mode(p, p.plainReleased()));
        j.add("recompute_if_intermediates_released", mode(p, p.recomputeReleased()));
        JsonObject parts = new JsonObject();
        p.plainByPart().forEach(parts::addProperty);
        j.add("plain_activation_bytes_by_part", parts);
        j.addProperty("cuda_context_bytes", MemoryPlan.CUDA_CONTEXT);
        j.addProperty("allocator_slack", MemoryPlan.ALLOCATOR_SLACK);
        j.addProperty("device_peak_bytes", p.devicePeak(p.chosen()));
        j.addProperty("fits", p.fits(p.chosen()));
        return j;
    }

    private static JsonObject mode(MemoryPlan.Plan p, MemoryPlan.Activations a) {
        JsonObject m = new JsonObject();
        m.addProperty("activations_held_bytes", a.held());
        m.addProperty("backward_extra_bytes", a.backward());
        m.addProperty("tensor_peak_bytes", p.tensorPeak(a));
        m.addProperty("device_peak_bytes", p.devicePeak(a));
        m.addProperty("fits", p.fits(a));
        return m;
    }

    static String text(MemoryPlan.Plan p, String source) {
        MemoryPlan.Options o = p.options();
        LlamaConfig c = o.config();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "plan for %s: %d layers, hidden %d, %d/%d heads, intermediate %d, vocab %d%s%n",
                source, c.numHiddenLayers(), c.hiddenSize(), c.numAttentionHeads(), c.numKeyValueHeads(),
                c.intermediateSize(), c.vocabSize(), c.tieWordEmbeddings() ? ", tied head" : ""));
        sb.append(String.format(Locale.ROOT, "M %d adapters of rank %d on %s: %,d parameters each%n", o.ensembleSize(),
                o.rank(), o.targets(), p.loraParametersPerMember()));
        sb.append(String.format(Locale.ROOT, "one forward: M %d × %d rows × T %d = %,d tokens%s; base %s; dropout %s%n",
                o.ensembleSize(), o.microBatchSize(), o.cutoffLen(), p.tokensPerForward(),
                o.batchSize() > o.microBatchSize() ? " (" + o.batchSize() / o.microBatchSize()
                        + " micro-batches per optimizer step, all held until it ends)" : "",
                o.baseDtype(), o.dropout()));
        String chosen = o.recompute() ? "--recompute" : "plain";
        Table t = new Table("part, GiB", "plain" + (o.recompute() ? "" : " *"), "--recompute" + (o.recompute() ? " *" : ""));
        row(t, "frozen base (" + o.baseDtype() + ", Wᵀ" + (c.tieWordEmbeddings() ? ", tied head copied" : "") + ")",
                p.base(), p.base());
        row(t, "LoRA A, B (float32)", p.lora(), p.lora());
        row(t, "gradients", p.gradients(), p.gradients());
        row(t, "Adam moments m, v", p.moments(), p.moments());
        row(t, "best-adapter copy" + (o.validation() ? "" : " (no validation)"), p.bestCopy(), p.bestCopy());
        row(t, "activations held until the step ends", p.plain().held(), p.recompute().held());
        row(t, "+ in the backward (graph copies, gradients)", p.plain().backward(), p.recompute().backward());
        row(t, "+ or in the optimizer step (temporaries)", p.optimizerTemporaries(), p.optimizerTemporaries());
        row(t, "tensors at the peak", p.tensorPeak(p.plain()), p.tensorPeak(p.recompute()));
        long ctx = MemoryPlan.CUDA_CONTEXT;
        row(t, String.format(Locale.ROOT, "CUDA context %d GiB + allocator %.0f %%", ctx / MemoryPlan.GIB,
                100 * MemoryPlan.ALLOCATOR_SLACK), p.devicePeak(p.plain()) - p.tensorPeak(p.plain()),
                p.devicePeak(p.recompute()) - p.tensorPeak(p.recompute()));
        row(t, "device peak", p.devicePeak(p.plain()), p.devicePeak(p.recompute()));
        String gpu = gib(o.gpuMemory()) + " GiB";
        t.row("fits " + gpu, p.fits(p.plain()) ? "yes" : "no", p.fits(p.recompute()) ? "yes" : "no");
        sb.append('\n').append(t.text());
        sb.append(String.format(Locale.ROOT, "(* = the mode planned: %s; peak = base + adapters + held + max(backward,"
                + " optimizer))%n", chosen));
        Table parts = new Table("activations of one plain micro-batch", "GiB", "share");
        long sum = p.plainByPart().values().stream().mapToLong(Long::longValue).sum();
        for (Map.Entry<String, Long> e : p.plainByPart().entrySet()) {
            parts.row(e.getKey(), gib(e.getValue()), String.format(Locale.ROOT, "%.0f %%", 100.0 * e.getValue() / sum));
        }
        sb.append('\n').append(parts.text());
        sb.append(String.format(Locale.ROOT, "%nThe plain step keeps every op's result of a micro-batch until its backward (DJL frees"
                + " an array only when it is closed); --recompute closes each decoder layer's results (a manager per"
                + " layer). A manager per layer in the plain step too (not done yet) would give plain %s GiB"
                + " (%s); --recompute %s GiB (%s) on the device.%n", gib(p.devicePeak(p.plainReleased())),
                p.fits(p.plainReleased()) ? "fits" : "does not fit", gib(p.devicePeak(p.recomputeReleased())),
                p.fits(p.recomputeReleased()) ? "fits" : "does not fit"));
        return sb.toString();
    }

    private static void row(Table t, String what, long plain, long rec) {
        t.row(what, gib(plain), gib(rec));
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f", bytes / (double) MemoryPlan.GIB);
    }
}
