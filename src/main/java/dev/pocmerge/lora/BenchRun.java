package dev.pocmerge.lora;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.ProcessMemory;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.lora.LoraTargets.Target;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One mode of {@code bench lora} measured in this process (a fresh JVM per mode, so each peak RSS is its own):
 * a random base, then either one M-member ensemble stepped as the trainer steps it, or M one-member ensembles
 * stepped one after another; warm-up steps, timed steps, the peak RSS, then a float32 matmul peak.
 */
final class BenchRun {
    static final String BATCHED = "batched";
    static final String SEQUENTIAL = "sequential";
    /** The peer's rate; constant, since the schedule does not change the step's cost. */
    private static final double LR = 2e-4;
    /** finetune's --max-grad-norm default: the trainer clips every step. */
    private static final double MAX_GRAD_NORM = 1.0;

    /** An ensemble with its optimizer and step, as LoraTrainer wires them. */
    private record Member(NDManager root, LoraEnsemble lora, NoisyAdamW opt, EnsembleStep step) {}

    private BenchRun() {}

    static LoraBench.Measured measure(String mode, LoraBench.Config cfg) {
        Engines.pytorch();
        try (NDManager warm = NDManager.newBaseManager()) {
            warm.ones(new Shape(8, 8)).matMul(warm.ones(new Shape(8, 8))).close(); // loads libtorch's kernels
        }
        System.gc();
        long baseline = ProcessMemory.rss();
        LlamaConfig c = cfg.llama();
        List<Target> targets = LoraTargets.parse(cfg.targets(), c);
        MemberStreams streams = new MemberStreams(cfg.seed());
        List<List<List<TrainExample>>> data = data(cfg);
        try (LlamaModel model = RandomBase.model(c, cfg.seed(), Device.cpu(),
                cfg.baseDtype().equals("f16") ? DataType.FLOAT16 : DataType.FLOAT32)) {
            List<Member> members = new ArrayList<>();
            int[][] groups = mode.equals(BATCHED) ? new int[][] {range(cfg.members())} : singles(cfg.members());
            for (int[] g : groups) {
                NDManager root = model.weights().manager().newSubManager();
                LoraEnsemble lora = new LoraEnsemble(root, targets, g, cfg.rank(), cfg.alpha(), cfg.dropout(), streams,
                        DataType.FLOAT32);
                NoisyAdamW opt = new NoisyAdamW(root, lora.parameters(), NoisyAdamW.Hyper.paper(cfg.lambda()));
                members.add(new Member(root, lora, opt, new EnsembleStep(model, lora, cfg.recompute())));
            }
            double[] seconds = new double[cfg.warmup() + cfg.steps()];
            double first = 0;
            double last = 0;
            long faults0 = 0;
            long cpu0 = 0;
            for (int k = 0; k < seconds.length; k++) {
                if (k == cfg.warmup()) {
                    faults0 = ProcessMemory.minorFaults();
                    cpu0 = cpuNanos();
                }
                long t0 = System.nanoTime();
                double loss = 0;
                for (Member m : members) {
                    loss += trainerStep(m, data.get(k), k, streams);
                }
                seconds[k] = (System.nanoTime() - t0) / 1e9;
                loss /= cfg.members();
                first = k == 0 ? loss : first;
                last = loss;
            }
            long faults = ProcessMemory.minorFaults() - faults0;
            double cpu = (cpuNanos() - cpu0) / 1e9;
            long peak = ProcessMemory.peakRss(); // before the matmul allocates its matrices, as the peer reads it
            members.forEach(m -> m.root().close());
            double timed = 0;
            for (int k = cfg.warmup(); k < seconds.length; k++) {
                timed += seconds[k];
            }
            double tokens = (double) cfg.members() * cfg.batch() * cfg.seq() * cfg.steps();
            return new LoraBench.Measured(mode, tokens / timed, 1000 * timed / cfg.steps(), baseline, peak,
                    matmulGflops(cfg.matmulSize()), (double) faults / cfg.steps(), cpu / cfg.steps(), seconds, first,
                    last);
        }
    }

    /**
     * LoraTrainer's optimizer step for one ensemble with one micro-batch: forward and backward of all its
     * members, per-member clipping, the noise from each member's stream, noisy AdamW, gradients zeroed.
     * Returns the summed member losses.
     */
    private static double trainerStep(Member m, List<List<TrainExample>> all, int k, MemberStreams streams) {
        LoraEnsemble lora = m.lora();
        int[] ids = lora.members();
        List<List<TrainExample>> mine = new ArrayList<>();
        for (int id : ids) {
            mine.add(all.get(id));
        }
        List<NDArray> params = lora.parameters();
        List<Shape> shapes = params.stream().map(p -> p.getShape().slice(1)).toList();
        try (NDManager sm = m.root().newSubManager()) {
            MemberBatch mb = MemberBatch.of(mine, 0);
            double[] l = m.step().accumulate(sm, mb, k, 0, 1.0);
            List<NDArray> grads = new ArrayList<>();
            for (NDArray p : params) {
                NDArray g = p.getGradient();
                g.attach(sm);
                grads.add(g);
            }
            EnsembleStep.clipPerMember(sm, grads, ids.length, MAX_GRAD_NORM);
            List<NDArray> noise = streams.normals(sm, ids, shapes, DataType.FLOAT32, k);
            noise.forEach(x -> x.attach(sm));
            m.opt().step(params, grads, LR, noise);
            for (NDArray g : grads) {
                g.subi(g);
            }
            double s = 0;
            for (double v : l) {
                s += v;
            }
            return s;
        }
    }

    /** Per step, per member: b rows of T uniform token ids, labels = ids (the peer's data), drawn up front. */
    private static List<List<List<TrainExample>>> data(LoraBench.Config cfg) {
        SplittableRandom r = new SplittableRandom(cfg.seed() + 2);
        List<List<List<TrainExample>>> steps = new ArrayList<>();
        for (int k = 0; k < cfg.warmup() + cfg.steps(); k++) {
            List<List<TrainExample>> perMember = new ArrayList<>();
            for (int m = 0; m < cfg.members(); m++) {
                List<TrainExample> rows = new ArrayList<>();
                for (int j = 0; j < cfg.batch(); j++) {
                    long[] ids = new long[cfg.seq()];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = r.nextInt(cfg.vocab());
                    }
                    rows.add(new TrainExample(ids, ids.clone()));
                }
                perMember.add(rows);
            }
            steps.add(perMember);
        }
        return steps;
    }

    /** Best of five n×n×n float32 matmuls after two untimed ones, as the peer measures its peak. */
    static double matmulGflops(int n) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 7; i++) {
                long t0 = System.nanoTime();
                NDArray c = a.matMul(b);
                double s = (System.nanoTime() - t0) / 1e9;
                c.close();
                if (i >= 2) {
                    best = Math.min(best, s);
                }
            }
            return 2.0 * n * n * n / best / 1e9;
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static int[] range(int m) {
        int[] r = new int[m];
        for (int i = 0; i < m; i++) {
            r[i] = i;
        }
        return r;
    }

    private static int[][] singles(int m) {
        int[][] r = new int[m][];
        for (int i = 0; i < m; i++) {
            r[i] = new int[] {i};
        }
        return r;
    }
}
