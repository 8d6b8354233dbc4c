package dev.pocmerge.meanfield;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Runs T MFLD steps on all members at once. Each step lives in its own sub-manager (DESIGN.md: without it
 * native memory grows every step). A step whose particles are not finite is not taken: the run stops and the
 * particles stay at the last finite step. Every member draws its noise and minibatches from its own streams
 * ({@link NoiseStreams}, {@link MinibatchSampler}), keyed by its global index.
 */
public final class MfldTrainer {
    /** Called after each completed step (1-based). */
    @FunctionalInterface
    public interface Listener {
        void afterStep(int step, Particles particles);
    }

    /** How a run ended. {@code divergedAt} is the first step that produced non-finite particles, or 0. */
    public record Outcome(int stepsDone, int divergedAt, double seconds) {
        public boolean diverged() {
            return divergedAt > 0;
        }
    }

    private final MfldStep step;
    private final MfldConfig cfg;

    public MfldTrainer(GradientPath gradient, MfldConfig cfg) {
        this.step = new MfldStep(gradient, cfg);
        this.cfg = cfg;
    }

    public Outcome train(Particles p, Batch data, long seed, Listener listener) {
        return train(p, data, seed, listener, new NoiseStreams(seed, p.memberIds()));
    }

    /** With another noise source: only {@link StepBenchmark} uses this, to time what the per-member streams cost. */
    Outcome train(Particles p, Batch data, long seed, Listener listener, NoiseSource noise) {
        int[] ids = p.memberIds();
        MinibatchSampler sampler = null;
        int n = (int) data.size();
        if (cfg.batchSize() > 0 && cfg.batchSize() < n) {
            sampler = new MinibatchSampler(ids, n, cfg.batchSize(), seed);
        }
        float sigma = (float) cfg.noiseStd();
        boolean kinetic = cfg.dynamics() == Dynamics.UNDERDAMPED;
        long t0 = System.nanoTime();
        for (int k = 1; k <= cfg.steps(); k++) {
            MfldStep.State next;
            try (NDManager sm = p.manager().newSubManager()) {
                NDArray x = p.x();
                x.tempAttach(sm);
                NDArray v = kinetic ? p.v() : null;
                if (v != null) {
                    v.tempAttach(sm);
                }
                data.z2().tempAttach(sm);
                data.z2x2T().tempAttach(sm);
                data.y().tempAttach(sm);
                Batch batch = sampler == null ? data : data.gather(sampler.next(sm));
                NDArray xi = sigma > 0
                        ? noise.draw(sm, k, p.neurons(), p.dim(), sigma, x.getDataType()) : null;
                next = step.apply(x, v, batch, xi);
                if (!isFinite(next.x())) { // x = x_prev + η·v: a non-finite v shows in x too
                    return new Outcome(k - 1, k, seconds(t0));
                }
                next.x().attach(p.manager());
                if (next.v() != null) {
                    next.v().attach(p.manager());
                }
            }
            p.update(next.x(), next.v());
            if (listener != null) {
                listener.afterStep(k, p);
            }
        }
        return new Outcome(cfg.steps(), 0, seconds(t0));
    }

    private static boolean isFinite(NDArray a) {
        // one reduction: the sum is finite iff every entry is (barring overflow of the sum itself, also a failure)
        return Double.isFinite(a.sum().toType(DataType.FLOAT64, false).getDouble());
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
