package dev.pocmerge.lora;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.llama.LlamaConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench lora}: Config A of the PyTorch peer ({@code ../shared/bench/lora_peer.py}) on a random base,
 * M adapters trained in one batched step (LoraEnsemble + EnsembleStep + NoisyAdamW, as LoraTrainer steps
 * them) against M one-member ensembles stepped one after another. Each mode runs in a fresh child JVM so its
 * peak RSS is its own (VmHWM covers a whole process); the child also measures the float32 matmul peak after
 * its timed steps, in the same process, as the peer does. No dropout: the peer has none.
 */
public final class LoraBench {
    /** Child protocol: the line of stdout that carries the child's JSON result. */
    static final String RESULT = "LORA_BENCH_RESULT ";

    /** The benchmarked run. */
    public record Config(int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab, int seq,
            int batch, int members, int rank, double alpha, String targets, double dropout, double lambda,
            boolean recompute, int warmup, int steps, int matmulSize, long seed, String baseDtype) {
        public Config {
            if (!"f32".equals(baseDtype) && !"f16".equals(baseDtype)) {
                throw new PocmergeException("bench lora: base dtype " + baseDtype + ": f32 or f16");
            }
            if (steps < 1 || warmup < 0) {
                throw new PocmergeException("--steps " + steps + " must be ≥ 1 and --warmup " + warmup + " ≥ 0");
            }
            if (members < 1 || batch < 1 || seq < 2 || rank < 1) {
                throw new PocmergeException(members < 1 ? "--M " + members + ": must be ≥ 1"
                        : batch < 1 ? "--batch " + batch + ": must be ≥ 1"
                        : rank < 1 ? "--rank " + rank + ": must be ≥ 1" : "--seq " + seq + ": must be ≥ 2");
            }
        }

        /** The peer's Config A: hidden 256, 4 layers, 8/4 heads, vocab 1024, T 128, b 4, M 8, r 32, α 64. */
        public static Config peerA(boolean recompute, int warmup, int steps) {
            return new Config(256, 512, 4, 8, 4, 1024, 128, 4, 8, 32, 64, LoraTargets.DEFAULT, 0.0, 1e-5, recompute,
                    warmup, steps, 2048, 0, "f32");
        }

        public LlamaConfig llama() {
            return new LlamaConfig(hidden, intermediate, layers, heads, kvHeads, hidden / heads, 1e-5, 10000, null,
                    vocab, false, Math.max(2048, seq), List.of(1), List.of(2));
        }

        public long tokensPerStep() {
            return (long) members * batch * seq;
        }
    }

    /** What one mode measured in its own JVM: rates, bytes (RSS at start and peak), seconds, mean member loss. */
    public record Measured(String mode, double tokensPerS, double msPerStep, long baselineRss, long peakRss,
            double matmulGflops, double minorFaultsPerStep, double cpuSecondsPerStep, double[] stepSeconds,
            double firstLoss, double lastLoss) {}

    /** Both modes and what they are measured against. */
    public record Result(Config config, Measured batched, Measured sequential, LoraFlops flops,
            MemoryPlan.Plan plan, long sequentialPlanBytes) {
        public double batchedStepGflops() {
            return flops.total() * batched.tokensPerS() / config.tokensPerStep() / 1e9;
        }

        public double sequentialStepGflops() {
            return flops.total() * sequential.tokensPerS() / config.tokensPerStep() / 1e9;
        }
    }

    private LoraBench() {}

    /** Runs both modes, each in a child JVM of this one's classpath and JVM options. */
    public static Result run(Config cfg) {
        LlamaConfig c = cfg.llama();
        LoraFlops flops = LoraFlops.of(c, LoraTargets.parse(cfg.targets(), c), cfg.members(), cfg.batch(), cfg.seq(),
                cfg.rank());
        Measured batched = child(BenchRun.BATCHED, cfg);
        Measured sequential = child(BenchRun.SEQUENTIAL, cfg);
        return new Result(cfg, batched, sequential, flops, plan(cfg, cfg.members()), sequentialPlan(cfg));
    }

    /** The plan of the benchmarked step: one micro-batch per step, no validation copy. */
    static MemoryPlan.Plan plan(Config cfg, int members) {
        return MemoryPlan.of(new MemoryPlan.Options(cfg.llama(), members, cfg.rank(), cfg.targets(), cfg.batch(),
                cfg.batch(), cfg.seq(), cfg.baseDtype(), cfg.recompute(), cfg.dropout(), false, Long.MAX_VALUE));
    }

    /** Sequential mode holds M one-member ensembles but runs one member's step at a time. */
    static long sequentialPlanBytes(MemoryPlan.Plan one, int members) {
        long perMember = one.lora() + one.gradients() + one.moments();
        long step = one.tensorPeak() - one.fixed();
        return one.base() + members * perMember + step;
    }

    private static long sequentialPlan(Config cfg) {
        return sequentialPlanBytes(plan(cfg, 1), cfg.members());
    }

    public static JsonObject json(Result r) {
        Config cfg = r.config();
        JsonObject o = new JsonObject();
        o.add("config", Json.COMPACT.toJsonTree(cfg));
        o.addProperty("threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        JsonObject malloc = new JsonObject();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("MALLOC_")) {
                malloc.addProperty(k, v);
            }
        });
        o.add("malloc_env", malloc);
        o.addProperty("tokens_per_step", cfg.tokensPerStep());
        o.addProperty("flop_per_step", r.flops().total());
        o.addProperty("batched_tokens_per_s", r.batched().tokensPerS());
        o.addProperty("sequential_tokens_per_s", r.sequential().tokensPerS());
        o.addProperty("batched_over_sequential", r.batched().tokensPerS() / r.sequential().tokensPerS());
        // the median timed step resists the slow spells of a shared machine (the peer's summary reports it too)
        o.addProperty("batched_tokens_per_s_median_step", cfg.tokensPerStep() / medianTimed(r.batched(), cfg));
        o.addProperty("sequential_tokens_per_s_median_step", cfg.tokensPerStep() / medianTimed(r.sequential(), cfg));
        o.addProperty("batched_ms_per_step", r.batched().msPerStep());
        o.addProperty("sequential_ms_per_step", r.sequential().msPerStep());
        o.addProperty("matmul_gflops", r.batched().matmulGflops());
        o.addProperty("sequential_matmul_gflops", r.sequential().matmulGflops());
        o.addProperty("step_gflops", r.batchedStepGflops());
        o.addProperty("sequential_step_gflops", r.sequentialStepGflops());
        o.addProperty("step_over_matmul", r.batchedStepGflops() / r.batched().matmulGflops());
        o.addProperty("batched_peak_rss_mb", mib(r.batched().peakRss()));
        o.addProperty("sequential_peak_rss_mb", mib(r.sequential().peakRss()));
        o.addProperty("batched_baseline_rss_mb", mib(r.batched().baselineRss()));
        o.addProperty("sequential_baseline_rss_mb", mib(r.sequential().baselineRss()));
        o.addProperty("batched_rss_over_baseline_mb", mib(r.batched().peakRss() - r.batched().baselineRss()));
        o.addProperty("sequential_rss_over_baseline_mb", mib(r.sequential().peakRss() - r.sequential().baselineRss()));
        o.addProperty("plan_predicted_mb", mib(r.plan().tensorPeak()));
        o.addProperty("sequential_plan_predicted_mb", mib(r.sequentialPlanBytes()));
        o.addProperty("batched_minor_faults_per_step", r.batched().minorFaultsPerStep());
        o.addProperty("sequential_minor_faults_per_step", r.sequential().minorFaultsPerStep());
        o.addProperty("batched_cpu_s_per_step", r.batched().cpuSecondsPerStep());
        o.addProperty("sequential_cpu_s_per_step", r.sequential().cpuSecondsPerStep());
        o.addProperty("loss_first", r.batched().firstLoss());
        o.addProperty("loss_last", r.batched().lastLoss());
        o.addProperty("sequential_loss_last", r.sequential().lastLoss());
        o.add("batched_step_s", array(r.batched().stepSeconds()));
        o.add("sequential_step_s", array(r.sequential().stepSeconds()));
        return o;
    }

    static double medianTimed(Measured m, Config cfg) {
        double[] t = java.util.Arrays.copyOfRange(m.stepSeconds(), cfg.warmup(), m.stepSeconds().length);
        java.util.Arrays.sort(t);
        return (t[(t.length - 1) / 2] + t[t.length / 2]) / 2;
    }

    static double mib(long bytes) {
        return bytes / (double) (1 << 20);
    }

    private static JsonArray array(double[] v) {
        JsonArray a = new JsonArray();
        for (double x : v) {
            a.add(Math.round(x * 1e4) / 1e4);
        }
        return a;
    }

    /** Runs one mode in a fresh JVM and parses its result line. */
    static Measured child(String mode, Config cfg) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // the engine, thread and heap settings travel; debugger and agent options do not
            if (a.startsWith("-D") || a.startsWith("-Xm") || a.startsWith("-Xss") || a.startsWith("-XX:")) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LoraBench.class.getName());
        cmd.add(mode);
        cmd.add(Json.COMPACT.toJson(cfg));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            Process p = pb.start();
            String found = null;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith(RESULT)) {
                        found = line.substring(RESULT.length());
                    }
                }
            }
            int rc = p.waitFor();
            if (rc != 0 || found == null) {
                throw new IllegalStateException("bench lora: the " + mode + " child JVM exited with " + rc
                        + (found == null ? " and no result" : ""));
            }
            return Json.COMPACT.fromJson(found, Measured.class);
        } catch (IOException e) {
            throw new IllegalStateException("bench lora: cannot start a child JVM: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("bench lora: interrupted", e);
        }
    }

    /** Child entry point: {@code LoraBench <mode> <config json>}; prints one result line. */
    public static void main(String[] args) {
        Engines.setOfflineFlags();
        Config cfg = Json.COMPACT.fromJson(args[1], Config.class);
        Measured m = BenchRun.measure(args[0], cfg);
        System.out.println(RESULT + Json.COMPACT.toJson(m));
        System.exit(0);
    }

    /** For tests: the JSON keys a consumer may rely on. */
    static final List<String> KEYS = List.of("batched_tokens_per_s", "sequential_tokens_per_s", "matmul_gflops",
            "step_gflops", "batched_peak_rss_mb", "sequential_peak_rss_mb", "plan_predicted_mb", "config");
}
