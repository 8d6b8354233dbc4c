package dev.pocmerge.cli;

import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.lora.LoraBench;
import dev.pocmerge.lora.LoraTargets;
import dev.pocmerge.report.Table;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pocmerge bench lora}: M-batched vs M sequential LoRA steps on the peer's Config A (CPU). */
@Command(name = "lora", mixinStandardHelpOptions = true, sortOptions = false,
        description = "LoRA ensemble step speed and peak RSS: M adapters batched vs M one after another, against a"
                + " float32 matmul (each mode in a fresh child JVM; defaults are the PyTorch peer's Config A).")
public final class BenchLoraCommand implements Callable<Integer> {
    @Mixin
    PrintOptions common = new PrintOptions();

    @Option(names = "--recompute", description = "recompute each decoder layer in the backward")
    boolean recompute;

    @Option(names = "--steps", defaultValue = "10", description = "timed steps per mode (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", defaultValue = "8",
            description = "untimed steps first: DJL's Java op wrappers run interpreted at first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--dropout", defaultValue = "0", description = "LoRA dropout; the peer has none (default: ${DEFAULT-VALUE})")
    double dropout;

    @Option(names = "--hidden", defaultValue = "256") int hidden;
    @Option(names = "--intermediate", defaultValue = "512") int intermediate;
    @Option(names = "--layers", defaultValue = "4") int layers;
    @Option(names = "--heads", defaultValue = "8") int heads;
    @Option(names = "--kv-heads", defaultValue = "4") int kvHeads;
    @Option(names = "--vocab", defaultValue = "1024") int vocab;
    @Option(names = "--seq", defaultValue = "128", description = "T") int seq;
    @Option(names = "--batch", defaultValue = "4", description = "rows per member per step") int batch;
    @Option(names = "--M", defaultValue = "8") int members;
    @Option(names = "--rank", defaultValue = "32") int rank;
    @Option(names = "--alpha", defaultValue = "64") double alpha;

    @Option(names = "--targets", defaultValue = LoraTargets.DEFAULT, description = "(default: ${DEFAULT-VALUE})")
    String targets;

    @Option(names = "--matmul-size", defaultValue = "2048", description = "n of the n³ matmul peak (default: ${DEFAULT-VALUE})")
    int matmulSize;

    @Override
    public Integer call() {
        if (!common.device.equals("auto") && !common.device.equals("cpu")) {
            throw new PocmergeException("bench lora runs on the CPU (it compares with the CPU PyTorch peer); drop --device "
                    + common.device);
        }
        if (hidden % heads != 0 || heads % kvHeads != 0 || (hidden / heads) % 2 != 0) {
            throw new PocmergeException("--hidden " + hidden + " / --heads " + heads + " / --kv-heads " + kvHeads
                    + ": hidden must be a multiple of heads with an even head size, heads a multiple of kv heads");
        }
        LoraBench.Config cfg = new LoraBench.Config(hidden, intermediate, layers, heads, kvHeads, vocab, seq, batch,
                members, rank, alpha, targets, dropout, 1e-5, recompute, warmup, steps, matmulSize, common.seed, "f32");
        LoraTargets.parse(targets, cfg.llama()); // a bad target fails before any child starts
        LoraBench.Result r = LoraBench.run(cfg);
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(LoraBench.json(r)));
            return 0;
        }
        System.out.printf(Locale.ROOT, "bench lora: hidden %d, %d layers, %d/%d heads, vocab %d, T %d, b %d, M %d, r %d%s;"
                + " %.2f GFLOP per step; %d warm-up + %d timed steps, libtorch threads %s%n", hidden, layers, heads,
                kvHeads, vocab, seq, batch, members, rank, recompute ? ", --recompute" : "", r.flops().total() / 1e9,
                warmup, steps, System.getProperty("ai.djl.pytorch.num_threads", "default"));
        Table t = new Table("mode", "tokens/s", "ms/step", "GFLOP/s", "of matmul", "matmul GFLOP/s", "peak RSS MiB",
                "over start MiB", "plan MiB");
        t.row("batched", fmt("%.0f", r.batched().tokensPerS()), fmt("%.0f", r.batched().msPerStep()),
                fmt("%.1f", r.batchedStepGflops()), fmt("%.0f %%", 100 * r.batchedStepGflops() / r.batched().matmulGflops()),
                fmt("%.0f", r.batched().matmulGflops()), fmt("%.0f", mib(r.batched().peakRss())),
                fmt("%.0f", mib(r.batched().peakRss() - r.batched().baselineRss())),
                fmt("%.0f", mib(r.plan().tensorPeak())));
        t.row("sequential", fmt("%.0f", r.sequential().tokensPerS()), fmt("%.0f", r.sequential().msPerStep()),
                fmt("%.1f", r.sequentialStepGflops()),
                fmt("%.0f %%", 100 * r.sequentialStepGflops() / r.sequential().matmulGflops()),
                fmt("%.0f", r.sequential().matmulGflops()), fmt("%.0f", mib(r.sequential().peakRss())),
                fmt("%.0f", mib(r.sequential().peakRss() - r.sequential().baselineRss())),
                fmt("%.0f", mib(r.sequentialPlanBytes())));
        System.out.print(t.text());
        System.out.printf(Locale.ROOT, "batched / sequential: %.2f× (loss %.4f → %.4f)%n",
                r.batched().tokensPerS() / r.sequential().tokensPerS(), r.batched().firstLoss(), r.batched().lastLoss());
        return 0;
    }

    private static String fmt(String f, double v) {
        return String.format(Locale.ROOT, f, v);
    }

    private static double mib(long bytes) {
        return bytes / (double) (1 << 20);
    }
}
