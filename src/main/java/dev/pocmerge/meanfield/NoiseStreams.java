package dev.pocmerge.meanfield;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Seeds;
import dev.pocmerge.core.Tensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * The Langevin noise ξ of eq. (3) (and of the kinetic dynamics), one independent stream per member. Member m's
 * draw at step k comes from a generator seeded from (seed, salt, m, k) and has the shape (N, D) whatever M is,
 * so it is the same numbers whether m trains alone or in a batch of any size (a single batched draw of (M, N, D)
 * would hand member m different numbers for every M from step 2 on), and a step can be drawn again (the
 * trainer's replay of a diverged window).
 *
 * <p>On the CPU the numbers come from Apache Commons RNG: xoshiro128++ seeded per (member, step), McFarland's
 * ziggurat for N(0, 1), filled straight into one reused (M, N, D) direct buffer and copied once; the next step's
 * draw is filled ahead on one background thread while libtorch runs the current step (a draw out of that order,
 * as in a replay, is filled on the spot, in parallel over members). libtorch
 * 2.7.1's CPU normal generator is one thread and ~5 ms per 10⁶ values here; this is ~3 ms of CPU per 10⁶ values
 * split over the cores (measured in {@code bench ensemble}'s {@code noise_*_ms}). On a GPU the draw stays on the
 * device (the engine's generator re-seeded per member and step; a host draw would make every step wait on the
 * host): trajectories depend on the device, as they already did through the engine's generators.
 */
final class NoiseStreams implements NoiseSource {
    /** Salt of the noise streams. */
    static final long SALT = 0x4E4F495345L;

    private final Engine engine = Engine.getEngine("PyTorch");
    private final long[] memberSeeds;
    /** Reused between draws: a fresh 4 MB direct buffer per step (zeroed, then freed) cost 1.9 ms of a 27 ms step. */
    private ByteBuffer host = ByteBuffer.allocateDirect(0);
    /** The draw being filled ahead into {@link #host} (the next step's), or null. */
    private Ahead ahead;

    /** A fill of {@code host} running on {@link #FILLER} for one (step, shape, σ). */
    private record Ahead(int step, long neurons, long dim, float sigma, Future<?> done) {
        boolean isFor(int s, long n, long d, float sg) {
            return step == s && neurons == n && dim == d && Float.compare(sigma, sg) == 0;
        }
    }

    /**
     * One daemon thread for the whole process: while libtorch runs step k, it fills step k+1's noise (the numbers
     * depend only on (member, step), so filling ahead changes nothing but the time).
     */
    private static final ExecutorService FILLER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pocmerge-noise");
        t.setDaemon(true);
        return t;
    });

    /** The last step a run draws: no fill ahead past it. */
    private final int lastStep;

    NoiseStreams(long seed, int[] memberIds) {
        this(seed, memberIds, Integer.MAX_VALUE);
    }

    /** For a run of {@code lastStep} steps. */
    NoiseStreams(long seed, int[] memberIds, int lastStep) {
        this.lastStep = lastStep;
        memberSeeds = new long[memberIds.length];
        long base = Seeds.derive(seed, SALT);
        for (int j = 0; j < memberIds.length; j++) {
            memberSeeds[j] = Seeds.derive(base, memberIds[j]);
        }
    }

    /** σ·ξ for step {@code step} (1-based) of every member, (M, n, d). */
    @Override
    public NDArray draw(NDManager sm, int step, long neurons, long dim, float sigma, DataType dtype) {
        if (sm.getDevice().isGpu()) {
            return deviceDraw(sm, step, neurons, dim, sigma, dtype);
        }
        int per = Math.toIntExact(neurons * dim);
        int total = Math.multiplyExact(per, memberSeeds.length);
        boolean ready = ahead != null && ahead.isFor(step, neurons, dim, sigma);
        finishAhead(); // either this step's numbers, or a fill that must end before host is reused
        if (host.capacity() != total * 4L) {
            Tensors.free(host); // as close() does: not left for a later collection
            host = ByteBuffer.allocateDirect(Math.multiplyExact(total, 4)).order(ByteOrder.nativeOrder());
            ready = false;
        }
        if (!ready) {
            FloatBuffer buf = host.asFloatBuffer();
            IntStream members = IntStream.range(0, memberSeeds.length);
            (memberSeeds.length > 1 ? members.parallel() : members).forEach(j -> fill(buf, j * per, per, j, step,
                    sigma));
        }
        // create() only borrows a direct buffer on the CPU: the copy frees host for the next fill
        NDArray out;
        try (NDArray borrowed = sm.create(host, new Shape(memberSeeds.length, neurons, dim), DataType.FLOAT32)) {
            out = dtype == DataType.FLOAT32 ? borrowed.duplicate() : borrowed.toType(dtype, true);
        }
        if (step >= lastStep) {
            return out;
        }
        FloatBuffer next = host.asFloatBuffer();
        int nextStep = step + 1;
        ahead = new Ahead(nextStep, neurons, dim, sigma, FILLER.submit(() -> {
            for (int j = 0; j < memberSeeds.length; j++) {
                fill(next, j * per, per, j, nextStep, sigma);
            }
        }));
        return out;
    }

    /** Waits for a fill in progress, then frees the host buffer now rather than at some later collection. */
    @Override
    public void close() {
        try {
            finishAhead();
        } finally {
            ByteBuffer b = host;
            host = ByteBuffer.allocateDirect(0);
            Tensors.free(b);
        }
    }

    private void finishAhead() {
        if (ahead == null) {
            return;
        }
        try {
            ahead.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the next step's noise was drawn", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("drawing the next step's noise failed", e.getCause());
        } finally {
            ahead = null;
        }
    }

    /** Member {@code j}'s σ·ξ at {@code step} into {@code buf[off, off + len)}. */
    void fill(FloatBuffer buf, int off, int len, int j, int step, float sigma) {
        long s0 = Seeds.derive(memberSeeds[j], step);
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(new long[] {s0, Seeds.derive(s0, 1)});
        ZigguratSampler.NormalizedGaussian normal = ZigguratSampler.NormalizedGaussian.of(rng);
        for (int i = 0; i < len; i++) {
            buf.put(off + i, (float) (sigma * normal.sample()));
        }
    }

    /** On a GPU: the engine's generator re-seeded per member and step, (1, n, d) draws stacked on the device. */
    private NDArray deviceDraw(NDManager sm, int step, long neurons, long dim, float sigma, DataType dtype) {
        Shape one = new Shape(1, neurons, dim);
        NDList parts = new NDList(memberSeeds.length);
        for (int j = 0; j < memberSeeds.length; j++) {
            engine.setRandomSeed(Seeds.deriveInt(memberSeeds[j], step));
            parts.add(sm.randomNormal(0f, sigma, one, dtype));
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        NDArray stacked = NDArrays.concat(parts, 0);
        parts.close(); // the stack is a copy: free the parts now, not when the step's manager closes
        return stacked;
    }
}
