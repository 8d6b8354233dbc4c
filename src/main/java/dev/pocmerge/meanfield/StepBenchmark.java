package dev.pocmerge.meanfield;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.data.Dataset;

/**
 * Measures, in one process and one run: the batched closed-form step, the batched autograd step, M single-network
 * closed-form steppers run one after the other, and a plain matmul of the step's GEMM shape. Every rate is in
 * ensemble steps per second (one step moves all M·N particles). Every path is warmed up first: a cold JVM runs
 * DJL's Java op wrappers interpreted, which would flatter the batched path against M small steppers.
 */
public final class StepBenchmark {
    private static final int WARMUP = 3;
    /** Steps run on the single-network and autograd paths before they are timed (the batched path: warmupSteps). */
    private static final int JIT_WARMUP = 60;

    /**
     * Results; FLOP figures count the step's two GEMMs, 4·M·N·n·D. The noise figures compare one stream per
     * member ({@link NoiseStreams}, what every run uses: Commons RNG on the CPU) with one (M, N, D) draw from
     * libtorch's generator (the draw before members had their own streams): {@code noisePerMemberMs} / {@code noiseBatchedMs} time the draw alone,
     * {@code perMemberNoiseStepsPerS} / {@code sharedNoiseStepsPerS} whole batched steps; each pair is measured in
     * alternation in one process (medians), so that a busy machine slows both alike.
     */
    public record Result(double batchedStepsPerS, double autogradStepsPerS, double sequentialStepsPerS,
            double matmulGflops, double stepGflops, double gemmFlopPerStep, double noisePerMemberMs,
            double noiseBatchedMs, double perMemberNoiseStepsPerS, double sharedNoiseStepsPerS,
            double batchedColdStepsPerS, int warmupSteps) {}

    /** Rounds of the alternated per-member / shared noise comparison. */
    private static final int NOISE_ROUNDS = 4;

    private StepBenchmark() {}

    /**
     * {@code warmupSteps}: untimed batched steps after the cold run and before the timed one. On 2 cores the JIT
     * takes a few hundred steps to compile DJL's wrappers and the noise fill: measured at M=20, N=500, n=400,
     * 22–30 ms a step over the first ~400 steps of a JVM, 18–23 ms from then on.
     */
    public static Result run(NDManager manager, Dataset data, EnsembleSpec spec, int autogradSteps,
            int sequentialSteps, int warmupSteps) {
        DataType dt = DataType.FLOAT32;
        Batch train = Batch.of(manager, data.zTrain(), data.yTrain(), data.d(), dt);
        int m = spec.members();
        int n = spec.neurons();
        GradientPath fast = new ClosedFormGradient(spec.neuron(), spec.loss(), spec.mfld().lambdaPrime());
        GradientPath auto = new AutogradGradient(spec.neuron(), spec.loss(), spec.mfld().lambdaPrime());
        int steps = spec.mfld().steps();
        EnsembleSpec single = new EnsembleSpec(1, n, spec.neuron(), spec.loss(), spec.mfld(), spec.seed());
        double cold = rate(manager, data, spec, fast, train, m, steps); // what a fresh JVM's run of T steps sees
        if (warmupSteps > 0) {
            rate(manager, data, spec, fast, train, m, warmupSteps);
        }
        rate(manager, data, single, fast, train, 1, JIT_WARMUP);
        rate(manager, data, spec, auto, train, m, Math.min(JIT_WARMUP, autogradSteps));
        double batched = rate(manager, data, spec, fast, train, m, steps);
        double autograd = rate(manager, data, spec, auto, train, m, autogradSteps);
        // M independent single-network steppers, one after the other
        double seqSeconds = 0;
        for (int j = 0; j < m; j++) {
            EnsembleSpec one = new EnsembleSpec(1, n, spec.neuron(), spec.loss(), spec.mfld(), spec.seed() + j);
            seqSeconds += 1.0 / rate(manager, data, one, fast, train, 1, sequentialSteps);
        }
        double sequential = 1.0 / seqSeconds;
        double flop = 4.0 * m * n * data.nTrain() * (data.d() + 2);
        double matmul = matmulGflops(manager, m * n, data.d() + 2, data.nTrain(), dt);
        double[] noise = noiseMs(manager, m, n, data.d() + 2, spec.seed(), dt);
        double[] steps2 = noiseStepRates(manager, data, spec, fast, train, Math.max(10, steps / NOISE_ROUNDS));
        return new Result(batched, autograd, sequential, matmul, flop * batched / 1e9, flop, noise[0], noise[1],
                steps2[0], steps2[1], cold, warmupSteps);
    }

    /** {per-member streams, one shared draw}: medians of steps/s over alternated runs of {@code steps} steps. */
    private static double[] noiseStepRates(NDManager manager, Dataset data, EnsembleSpec spec, GradientPath path,
            Batch train, int steps) {
        double[] per = new double[NOISE_ROUNDS];
        double[] shared = new double[NOISE_ROUNDS];
        for (int r = 0; r < NOISE_ROUNDS; r++) {
            boolean perFirst = r % 2 == 0; // alternate the order too: a drifting load favours neither
            for (int pass = 0; pass < 2; pass++) {
                boolean perMember = (pass == 0) == perFirst;
                double rate = rate(manager, data, spec, path, train, spec.members(), steps, perMember);
                if (perMember) {
                    per[r] = rate;
                } else {
                    shared[r] = rate;
                }
            }
        }
        java.util.Arrays.sort(per);
        java.util.Arrays.sort(shared);
        return new double[] {median(per), median(shared)};
    }

    private static double median(double[] sorted) {
        int k = sorted.length;
        return k % 2 == 1 ? sorted[k / 2] : (sorted[k / 2 - 1] + sorted[k / 2]) / 2;
    }

    /**
     * The draw before members had their own streams: one (M, N, D) call on the engine's generator, seeded once per
     * run, so member m's numbers from step 2 on depend on M. Kept only to time what the streams cost.
     */
    private static final class SharedDraw implements NoiseSource {
        private final int members;

        SharedDraw(int members, long seed) {
            this.members = members;
            ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(dev.pocmerge.core.Seeds.deriveInt(seed, 1));
        }

        @Override
        public NDArray draw(NDManager sm, int step, long neurons, long dim, float sigma, DataType dtype) {
            return sm.randomNormal(0f, sigma, new Shape(members, neurons, dim), dtype);
        }
    }

    private static double rate(NDManager manager, Dataset data, EnsembleSpec spec, GradientPath path, Batch train,
            int members, int steps) {
        return rate(manager, data, spec, path, train, members, steps, true);
    }

    private static double rate(NDManager manager, Dataset data, EnsembleSpec spec, GradientPath path, Batch train,
            int members, int steps, boolean perMemberNoise) {
        try (Particles p = Particles.gaussian(manager, members, spec.neurons(), data.d(), spec.seed(),
                DataType.FLOAT32)) {
            new MfldTrainer(path, spec.mfld().withSteps(WARMUP)).train(p, train, spec.seed(), null);
            MfldTrainer timed = new MfldTrainer(path, spec.mfld().withSteps(steps));
            MfldTrainer.Outcome o = perMemberNoise ? timed.train(p, train, spec.seed(), null)
                    : timed.train(p, train, spec.seed(), null, new SharedDraw(members, spec.seed()));
            return o.stepsDone() / o.seconds();
        }
    }

    /**
     * {per-member streams, one batched draw} in ms per step. Alternated in one loop so that a busy machine slows
     * both alike; each draw is read once (a no-op on CPU, a sync on GPU) before its time is taken.
     */
    static double[] noiseMs(NDManager manager, int m, int n, int dd, long seed, DataType dt) {
        int reps = 41;
        double[] per = new double[reps];
        double[] one = new double[reps];
        Shape all = new Shape(m, n, dd);
        // lastStep 0: every draw filled on demand (nothing runs beside it here to overlap a fill ahead with)
        try (NoiseStreams streams = new NoiseStreams(seed, java.util.stream.IntStream.range(0, m).toArray(), 0)) {
            for (int i = -5; i < reps; i++) { // 5 warm-up rounds
                try (NDManager sm = manager.newSubManager()) {
                    long t0 = System.nanoTime();
                    streams.draw(sm, i + 6, n, dd, 0.1f, dt).getFloat(0, 0, 0);
                    long t1 = System.nanoTime();
                    sm.getEngine().setRandomSeed(i + 6);
                    sm.randomNormal(0f, 0.1f, all, dt).getFloat(0, 0, 0);
                    long t2 = System.nanoTime();
                    if (i >= 0) {
                        per[i] = (t1 - t0) / 1e6;
                        one[i] = (t2 - t1) / 1e6;
                    }
                }
            }
        }
        java.util.Arrays.sort(per);
        java.util.Arrays.sort(one);
        return new double[] {per[reps / 2], one[reps / 2]};
    }

    /** GFLOP/s of (rows, k) × (k, cols) float matmuls, the pre-activation GEMM of one step. */
    static double matmulGflops(NDManager manager, int rows, int k, int cols, DataType dt) {
        try (NDManager sm = manager.newSubManager()) {
            NDArray a = sm.randomNormal(0, 1, new Shape(rows, k), dt);
            NDArray b = sm.randomNormal(0, 1, new Shape(k, cols), dt);
            for (int i = 0; i < 3; i++) {
                a.matMul(b).close();
            }
            int reps = 20;
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                NDArray c = a.matMul(b);
                c.getFloat(0, 0); // completes the op (a no-op on CPU, a sync on GPU)
                c.close();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return 2.0 * rows * k * cols * reps / secs / 1e9;
        }
    }
}
