package dev.pocmerge.meanfield;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Tensors;

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

    /** Steps between two finiteness checks: each check reads one number back to the host (a sync on a GPU). */
    static final int CHECK_EVERY = 10;

    private final MfldStep step;
    private final MfldConfig cfg;
    private final int checkEvery;

    public MfldTrainer(GradientPath gradient, MfldConfig cfg) {
        this(gradient, cfg, CHECK_EVERY);
    }

    /** {@code checkEvery} = 1 checks after every step (the plain path the windowed check is tested against). */
    MfldTrainer(GradientPath gradient, MfldConfig cfg, int checkEvery) {
        if (checkEvery < 1) {
            throw new IllegalArgumentException("checkEvery " + checkEvery);
        }
        this.step = new MfldStep(gradient, cfg);
        this.cfg = cfg;
        this.checkEvery = checkEvery;
    }

    public Outcome train(Particles p, Batch data, long seed, Listener listener) {
        try (NoiseStreams noise = new NoiseStreams(seed, p.memberIds(), cfg.steps())) {
            return train(p, data, seed, listener, noise);
        }
    }

    /**
     * With another noise source: only {@link StepBenchmark} uses this, to time what the per-member streams cost.
     *
     * <p>Finiteness is checked every {@link #checkEvery} steps, not after each: the state at the last check is
     * kept, and when a check fails the window is replayed from it one checked step at a time (the noise is keyed by
     * step and the window's minibatches are recorded, so the replay retraces the same steps) to stop at the last
     * finite step. The listener may therefore have been called for the steps of a window that diverged; the
     * outcome and the particles are those of the last finite step.
     */
    Outcome train(Particles p, Batch data, long seed, Listener listener, NoiseSource noise) {
        int[] ids = p.memberIds();
        MinibatchSampler sampler = null;
        int n = (int) data.size();
        if (cfg.batchSize() > 0 && cfg.batchSize() < n) {
            sampler = new MinibatchSampler(ids, n, cfg.batchSize(), seed);
        }
        boolean kinetic = cfg.dynamics() == Dynamics.UNDERDAMPED;
        long[][] window = sampler == null ? null : new long[checkEvery][];
        long t0 = System.nanoTime();
        Snapshot snap = Snapshot.of(p, kinetic);
        int snapStep = 0;
        try {
            for (int k = 1; k <= cfg.steps(); k++) {
                long[] idx = sampler == null ? null : sampler.nextIndices();
                if (window != null) {
                    window[k - snapStep - 1] = idx;
                }
                p.update(advance(p, data, idx, noise, k, kinetic));
                if (listener != null) {
                    listener.afterStep(k, p);
                }
                if (k - snapStep == checkEvery || k == cfg.steps()) {
                    if (!isFinite(p.x())) { // x = x_prev + η·v: a non-finite v shows in x too
                        int bad = replay(p, data, snap, snapStep, k, window, noise, kinetic);
                        return new Outcome(bad - 1, bad, seconds(t0));
                    }
                    if (k < cfg.steps()) {
                        snap.close();
                        snap = Snapshot.of(p, kinetic);
                        snapStep = k;
                    }
                }
            }
        } finally {
            snap.close();
        }
        return new Outcome(cfg.steps(), 0, seconds(t0));
    }

    /** Restores {@code snap} (taken after step {@code from}) and re-runs steps to {@code to}, checking each. */
    private int replay(Particles p, Batch data, Snapshot snap, int from, int to, long[][] window, NoiseSource noise,
            boolean kinetic) {
        p.update(snap.copy(p.manager()));
        for (int k = from + 1; k <= to; k++) {
            MfldStep.State next = advance(p, data, window == null ? null : window[k - from - 1], noise, k, kinetic);
            if (!isFinite(next.x())) {
                next.close();
                return k;
            }
            p.update(next);
        }
        throw new IllegalStateException("steps " + (from + 1) + ".." + to + " were not finite, their replay is");
    }

    /** One step from the current particles; the new state lives under the particles' manager. */
    private MfldStep.State advance(Particles p, Batch data, long[] idx, NoiseSource noise, int k, boolean kinetic) {
        float sigma = (float) cfg.noiseStd();
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
            Batch batch = idx == null ? data : data.gather(Tensors.ofLongs(sm, idx, new Shape(p.members(),
                    idx.length / p.members())));
            NDArray xi = sigma > 0 ? noise.draw(sm, k, p.neurons(), p.dim(), sigma, x.getDataType()) : null;
            MfldStep.State next = step.apply(x, v, batch, xi);
            next.x().attach(p.manager());
            if (next.v() != null) {
                next.v().attach(p.manager());
            }
            return next;
        }
    }

    /** The particles (and velocities) after a checked step, copied: later steps replace, and close, the originals. */
    private record Snapshot(NDArray x, NDArray v) implements AutoCloseable {
        static Snapshot of(Particles p, boolean kinetic) {
            return new Snapshot(p.x().duplicate(), kinetic ? p.v().duplicate() : null);
        }

        MfldStep.State copy(NDManager manager) {
            NDArray cx = x.duplicate();
            cx.attach(manager);
            NDArray cv = null;
            if (v != null) {
                cv = v.duplicate();
                cv.attach(manager);
            }
            return new MfldStep.State(cx, cv);
        }

        @Override
        public void close() {
            x.close();
            if (v != null) {
                v.close();
            }
        }
    }

    private static boolean isFinite(NDArray a) {
        // one reduction: the sum is finite iff every entry is (barring overflow of the sum itself, also a failure)
        try (NDArray sum = a.sum(); NDArray wide = sum.toType(DataType.FLOAT64, false)) {
            return Double.isFinite(wide.getDouble());
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
