package dev.pocmerge.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import dev.pocmerge.meanfield.EnsembleSpec;
import dev.pocmerge.meanfield.StepBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pocmerge bench ensemble}: batched vs autograd vs sequential MFLD steps, and the matmul rate. */
@Command(name = "ensemble", mixinStandardHelpOptions = true,
        description = "Time the batched MFLD step against autograd and M sequential steppers (ratios in one run).")
public final class BenchEnsembleCommand implements Callable<Integer> {
    @Mixin
    PrintOptions common;

    @Mixin
    MfldOptions mfld;

    @Option(names = "--M", defaultValue = "20", description = "networks (default: ${DEFAULT-VALUE})")
    int members;

    @Option(names = "--N", defaultValue = "500", description = "neurons per network (default: ${DEFAULT-VALUE})")
    int neurons;

    @Option(names = "--autograd-steps", defaultValue = "20", description = "timed autograd steps (default: ${DEFAULT-VALUE})")
    int autogradSteps;

    @Option(names = "--sequential-steps", defaultValue = "50",
            description = "timed steps of each single-network stepper (default: ${DEFAULT-VALUE})")
    int sequentialSteps;

    @Option(names = "--warmup-steps", defaultValue = "500", description = "untimed batched steps before the timed"
            + " run, for the JIT to reach the steady rate; the first run of --steps steps in this JVM is reported"
            + " too, as the cold rate (default: ${DEFAULT-VALUE})")
    int warmupSteps;

    @Override
    public Integer call() {
        if (warmupSteps < 0) {
            throw new PocmergeException("--warmup-steps " + warmupSteps + ": must be ≥ 0");
        }
        if (autogradSteps < 1 || sequentialSteps < 1) {
            throw new PocmergeException((autogradSteps < 1 ? "--autograd-steps " + autogradSteps
                    : "--sequential-steps " + sequentialSteps) + ": must be ≥ 1 (a rate needs timed steps)");
        }
        Task task = mfld.task();
        Dataset ds = task.generate(common.seed);
        EnsembleSpec spec = mfld.spec(ds, members, neurons, common.seed);
        Device device = Devices.resolve(common.device);
        MfldSizes.check(device, spec, ds, 0);
        StepBenchmark.Result r;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            r = StepBenchmark.run(manager, ds, spec, autogradSteps, sequentialSteps, warmupSteps);
        }
        JsonObject o = new JsonObject();
        o.addProperty("device", Devices.describe(device));
        o.addProperty("task", task.id());
        o.addProperty("M", members);
        o.addProperty("N", neurons);
        o.addProperty("n_train", ds.nTrain());
        o.addProperty("D", ds.d() + 2);
        o.addProperty("steps", spec.mfld().steps());
        o.addProperty("threads", Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
        o.addProperty("batched_steps_per_s", r.batchedStepsPerS());
        o.addProperty("batched_cold_steps_per_s", r.batchedColdStepsPerS());
        o.addProperty("warmup_steps", r.warmupSteps());
        o.addProperty("autograd_steps_per_s", r.autogradStepsPerS());
        o.addProperty("sequential_steps_per_s", r.sequentialStepsPerS());
        o.addProperty("batched_over_sequential", r.batchedStepsPerS() / r.sequentialStepsPerS());
        o.addProperty("batched_over_autograd", r.batchedStepsPerS() / r.autogradStepsPerS());
        o.addProperty("gemm_flop_per_step", r.gemmFlopPerStep());
        o.addProperty("matmul_gflops", r.matmulGflops());
        o.addProperty("step_gflops", r.stepGflops());
        o.addProperty("step_over_matmul", r.stepGflops() / r.matmulGflops());
        o.addProperty("noise_per_member_ms", r.noisePerMemberMs());
        o.addProperty("noise_batched_ms", r.noiseBatchedMs());
        o.addProperty("steps_per_s_per_member_noise", r.perMemberNoiseStepsPerS());
        o.addProperty("steps_per_s_shared_noise", r.sharedNoiseStepsPerS());
        o.addProperty("per_member_noise_cost_ms_per_step",
                1000 / r.perMemberNoiseStepsPerS() - 1000 / r.sharedNoiseStepsPerS());
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(o));
        } else {
            System.out.printf("%s on %s, M=%d N=%d n=%d D=%d%n", task.id(), Devices.describe(device), members, neurons,
                    ds.nTrain(), ds.d() + 2);
            System.out.printf("batched closed form  %8.2f steps/s  (%.1f GFLOP/s = %.0f%% of the %.1f GFLOP/s matmul)%n",
                    r.batchedStepsPerS(), r.stepGflops(), 100 * r.stepGflops() / r.matmulGflops(), r.matmulGflops());
            System.out.printf("  cold (the first %d steps in this JVM) %.2f steps/s; the line above after %d warm-up steps%n",
                    spec.mfld().steps(), r.batchedColdStepsPerS(), r.warmupSteps());
            System.out.printf("batched autograd     %8.2f steps/s  (closed form is %.2f× faster)%n",
                    r.autogradStepsPerS(), r.batchedStepsPerS() / r.autogradStepsPerS());
            System.out.printf("%d sequential nets   %8.2f steps/s  (batched is %.2f× faster)%n", members,
                    r.sequentialStepsPerS(), r.batchedStepsPerS() / r.sequentialStepsPerS());
            System.out.printf("noise per step       %8.2f ms with one stream per member (one batched libtorch draw: %.2f ms)%n",
                    r.noisePerMemberMs(), r.noiseBatchedMs());
            System.out.printf("steps, alternated    %8.2f steps/s with per-member noise, %.2f with one shared libtorch draw%n",
                    r.perMemberNoiseStepsPerS(), r.sharedNoiseStepsPerS());
        }
        return 0;
    }
}
