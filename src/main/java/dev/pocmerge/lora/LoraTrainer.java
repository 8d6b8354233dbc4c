package dev.pocmerge.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.lora.LoraTargets.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The LoRA ensemble run: M members' micro-batches through one frozen base per step, gradient accumulation,
 * per-member clipping, noisy AdamW on the linear schedule, per-member validation with the best adapters kept
 * ({@code load_best_model_at_end}), checkpoints every --save-steps, resume. Writes metrics.jsonl as it goes and
 * the PEFT adapters at the end; the command writes config.json and results.json.
 */
public final class LoraTrainer implements AutoCloseable {
    /** Writes one PEFT adapter folder (io.PeftFiles in production). */
    @FunctionalInterface
    public interface AdapterWriter {
        void write(Path dir, LoraAdapter adapter);
    }

    /** Called after every optimizer step (progress bars). */
    @FunctionalInterface
    public interface Listener {
        void onStep(int done, int total, double[] trainLoss, double tokensPerSecond);
    }

    public record Result(int steps, int totalSteps, double seconds, long tokens, double[] lastTrainLoss,
            Double[] bestValLoss, int[] bestStep, List<Path> adapters, int resumedFrom) {}

    private final LlamaModel model;
    private final FinetuneConfig cfg;
    private final Path runDir;
    private final String baseName;
    private final NDManager root;
    private final LoraEnsemble lora;
    private final NoisyAdamW opt;
    private final List<NDArray> best = new ArrayList<>();
    private final MemberData data;
    private final EnsembleStep step;
    private final MemberStreams streams;
    private final int total;
    private final LrSchedule schedule;
    private Integer stopAfter; // tests: simulate a crash after this many steps

    public LoraTrainer(LlamaModel model, FinetuneConfig cfg, List<TrainExample> examples, Path runDir, String baseName) {
        this.model = model;
        this.cfg = cfg;
        this.runDir = runDir;
        this.baseName = baseName;
        List<Target> targets = validate(cfg, model.config(), examples.size());
        this.streams = new MemberStreams(cfg.seed());
        this.data = new MemberData(examples, streams, cfg.members(), cfg.valSetSize(), cfg.batchSize(),
                cfg.microBatchSize());
        this.total = cfg.maxSteps() > 0 ? cfg.maxSteps() : cfg.epochs() * data.stepsPerEpoch();
        this.schedule = new LrSchedule(cfg.lr(), cfg.warmupSteps(), total);
        this.root = model.weights().manager().newSubManager();
        this.lora = new LoraEnsemble(root, targets, cfg.members(), cfg.rank(), cfg.alpha(), cfg.dropout(), streams,
                DataType.FLOAT32);
        this.opt = new NoisyAdamW(root, lora.parameters(), NoisyAdamW.Hyper.paper(cfg.lambda()).withWeightDecay(
                cfg.weightDecay()));
        if (cfg.valSetSize() > 0) {
            lora.parameters().forEach(p -> best.add(p.duplicate()));
        }
        this.step = new EnsembleStep(model, lora, cfg.recompute());
    }

    /** The checks that need the base's shapes and the data size; the targets they imply. */
    public static List<Target> validate(FinetuneConfig cfg, dev.pocmerge.llama.LlamaConfig base, int rows) {
        List<Target> targets = LoraTargets.parse(cfg.targets(), base);
        for (Target t : targets) {
            if (cfg.rank() > Math.min(t.in(), t.out())) {
                throw new PocmergeException("--rank " + cfg.rank() + " exceeds min(in, out) = "
                        + Math.min(t.in(), t.out()) + " of " + t.key().path());
            }
        }
        dev.pocmerge.data.MemberSplit.split(rows, cfg.valSetSize(), cfg.seed(), 0); // --val-set-size vs the data
        return targets;
    }

    public int totalSteps() {
        return total;
    }

    public LoraEnsemble ensemble() {
        return lora;
    }

    /** Tests: stop (as if killed) once this many steps are done, without writing adapters. */
    void stopAfter(int steps) {
        this.stopAfter = steps;
    }

    public Result run(boolean resume, AdapterWriter writer, Listener listener) {
        int slots = lora.slots();
        Double[] bestVal = new Double[slots];
        int[] bestStep = new int[slots];
        MetricsLog log = new MetricsLog(runDir.resolve("metrics.jsonl"));
        int start = 0;
        long tokens = 0;
        double seconds = 0;
        if (resume) {
            Optional<Path> ck = TrainerCheckpoint.latest(runDir);
            if (ck.isPresent()) {
                TrainerCheckpoint.State st = TrainerCheckpoint.readState(ck.get());
                String diff = cfg.firstDifference(st.config());
                if (diff != null || !Arrays.equals(cfg.members(), st.config().members())) {
                    throw new PocmergeException("--resume " + runDir + ": the checkpoint was trained with a different "
                            + (diff != null ? diff : "--members") + "; start a new --out or pass the same options");
                }
                TrainerCheckpoint.restore(ck.get(), groups());
                opt.restoreSteps(st.adamSteps());
                System.arraycopy(st.bestVal(), 0, bestVal, 0, slots);
                System.arraycopy(st.bestStep(), 0, bestStep, 0, slots);
                log.truncate(st.metricsLines());
                start = st.step();
                tokens = st.tokens();
                seconds = st.seconds();
            } else {
                log.truncate(0);
            }
        } else {
            log.truncate(0);
        }
        int resumedFrom = start;
        List<NDArray> params = lora.parameters();
        List<Shape> shapes = params.stream().map(p -> p.getShape().slice(1)).toList();
        double[] last = new double[slots];
        for (int k = start; k < total; k++) {
            long t0 = System.nanoTime();
            double lr = schedule.at(k);
            List<List<List<TrainExample>>> micros = data.step(k);
            double w = 1.0 / micros.size();
            double[] loss = new double[slots];
            long stepTokens = 0;
            double[] norms;
            try (NDManager sm = root.newSubManager()) {
                for (int j = 0; j < micros.size(); j++) {
                    MemberBatch mb = MemberBatch.of(micros.get(j), 0);
                    double[] l;
                    try (NDManager micro = sm.newSubManager()) { // one micro-batch's activations at a time
                        l = step.accumulate(micro, mb, k, j, w);
                    }
                    for (int s = 0; s < slots; s++) {
                        loss[s] += w * l[s];
                    }
                    stepTokens += mb.realTokens();
                }
                checkFinite(loss, k, "loss", writer);
                List<NDArray> grads = new ArrayList<>();
                for (NDArray p : params) {
                    NDArray g = p.getGradient();
                    g.attach(sm);
                    grads.add(g);
                }
                norms = EnsembleStep.clipPerMember(sm, grads, slots, cfg.maxGradNorm());
                checkFinite(norms, k, "gradient norm", writer);
                List<NDArray> noise = cfg.lambda() > 0 && lr > 0
                        ? streams.normals(sm, lora.members(), shapes, DataType.FLOAT32, k) : null;
                if (noise != null) {
                    noise.forEach(x -> x.attach(sm));
                }
                opt.step(params, grads, lr, noise);
                for (NDArray g : grads) {
                    g.subi(g); // gradients accumulate until zeroed (DJL)
                }
            }
            tokens += stepTokens;
            double dt = (System.nanoTime() - t0) / 1e9;
            seconds += dt;
            last = loss;
            log.step(k + 1, lr, lora.members(), loss, norms, stepTokens / dt);
            if (cfg.valSetSize() > 0 && ((k + 1) % cfg.evalSteps() == 0 || k + 1 == total)) {
                double[] val = validate();
                log.eval(k + 1, lora.members(), val);
                keepBest(val, bestVal, bestStep, k + 1);
            }
            if ((k + 1) % cfg.saveSteps() == 0 || k + 1 == total) {
                TrainerCheckpoint.save(runDir, new TrainerCheckpoint.State(k + 1, opt.steps(), bestVal, bestStep,
                        log.lines(), tokens, seconds, cfg), groups(), cfg.saveTotalLimit());
            }
            if (listener != null) {
                listener.onStep(k + 1, total, loss, stepTokens / dt);
            }
            if (stopAfter != null && k + 1 >= stopAfter) {
                return new Result(k + 1, total, seconds, tokens, last, bestVal, bestStep, List.of(), resumedFrom);
            }
        }
        if (!best.isEmpty()) {
            for (int i = 0; i < params.size(); i++) {
                params.get(i).set(new NDIndex(":"), best.get(i));
            }
        }
        List<Path> written = writeAdapters(writer);
        return new Result(total, total, seconds, tokens, last, bestVal, bestStep, written, resumedFrom);
    }

    /** Token-weighted mean validation NLL per slot (no dropout). */
    double[] validate() {
        int slots = lora.slots();
        double[] sum = new double[slots];
        double[] count = new double[slots];
        for (List<List<TrainExample>> chunk : data.validation()) {
            MemberBatch mb = MemberBatch.of(chunk, 0);
            long[] c = mb.labelCounts();
            try (NDManager sm = root.newSubManager()) {
                double[] l = step.evaluate(sm, mb);
                for (int s = 0; s < slots; s++) {
                    sum[s] += l[s] * c[s];
                    count[s] += c[s];
                }
            }
        }
        for (int s = 0; s < slots; s++) {
            sum[s] /= Math.max(1, count[s]);
        }
        return sum;
    }

    private void keepBest(double[] val, Double[] bestVal, int[] bestStep, int k) {
        boolean[] better = new boolean[val.length];
        boolean any = false;
        for (int s = 0; s < val.length; s++) {
            better[s] = bestVal[s] == null || val[s] < bestVal[s];
            if (better[s]) {
                bestVal[s] = val[s];
                bestStep[s] = k;
                any = true;
            }
        }
        if (!any) {
            return;
        }
        List<NDArray> params = lora.parameters();
        try (NDManager sm = root.newSubManager()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                long[] dims = new long[(int) p.getShape().dimension()];
                Arrays.fill(dims, 1);
                dims[0] = val.length;
                double[] flags = new double[val.length];
                for (int s = 0; s < val.length; s++) {
                    flags[s] = better[s] ? 1 : 0;
                }
                NDArray mask = Tensors.of(sm, flags, new Shape(dims), DataType.FLOAT32).gt(Tensors.k(p, 0.5));
                NDArray chosen = NDArrays.where(mask.broadcast(p.getShape()), p, best.get(i)); // no broadcasting in DJL where
                chosen.attach(sm);
                best.get(i).set(new NDIndex(":"), chosen);
            }
        }
    }

    private List<List<NDArray>> groups() {
        List<List<NDArray>> g = new ArrayList<>();
        g.add(lora.parameters());
        g.add(opt.firstMoments());
        g.add(opt.secondMoments());
        if (!best.isEmpty()) {
            g.add(best);
        }
        return g;
    }

    private void checkFinite(double[] v, int k, String what, AdapterWriter writer) {
        for (int s = 0; s < v.length; s++) {
            if (!Double.isFinite(v[s])) {
                List<Path> kept = writeAdapters(writer); // the parameters are still those after step k (finite)
                throw new PocmergeException("member " + lora.members()[s] + ": " + what + " is " + v[s] + " at step "
                        + (k + 1) + "; stopped. The adapters after step " + k + " are in " + runDir.resolve("adapters")
                        + " (" + kept.size() + " written) and the last good checkpoint in " + runDir.resolve(
                        TrainerCheckpoint.DIR) + "; lower --lr or set --max-grad-norm");
            }
        }
    }

    private List<Path> writeAdapters(AdapterWriter writer) {
        List<Path> out = new ArrayList<>();
        int layers = model.config().numHiddenLayers();
        for (int s = 0; s < lora.slots(); s++) {
            Path dir = runDir.resolve("adapters").resolve("adapter-" + lora.members()[s]);
            writer.write(dir, lora.adapter(s, baseName, layers));
            out.add(dir);
        }
        return out;
    }

    @Override
    public void close() {
        root.close();
    }
}
