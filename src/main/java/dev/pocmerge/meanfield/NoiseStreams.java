package dev.pocmerge.meanfield;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Seeds;

/**
 * The Langevin noise ξ of eq. (3) (and of the kinetic dynamics), one independent stream per member. Member m's
 * draw at step k comes from the engine's generator re-seeded with a seed derived from (seed, salt, m, k), and
 * has the shape (1, N, D) whatever M is, so it is the same numbers whether m trains alone or in a batch of any
 * size (a single batched draw of (M, N, D) would hand member m different numbers for every M from step 2 on).
 * The members' draws are stacked into one (M, N, D) array for the batched step.
 *
 * <p>Cost: M generator seedings and M draws of N·D instead of one draw of M·N·D, plus one copy for the stack;
 * the normal generator's cost is per value, so the extra is the per-call overhead and the copy (measured in
 * README.md, Speed). The seed is 31 bits (DJL's {@code setRandomSeed(int)}); libtorch's CPU generator keeps
 * 32 anyway.
 */
final class NoiseStreams implements NoiseSource {
    /** Salt of the noise streams. */
    static final long SALT = 0x4E4F495345L;

    private final Engine engine = Engine.getEngine("PyTorch");
    private final long[] memberSeeds;

    NoiseStreams(long seed, int[] memberIds) {
        memberSeeds = new long[memberIds.length];
        long base = Seeds.derive(seed, SALT);
        for (int j = 0; j < memberIds.length; j++) {
            memberSeeds[j] = Seeds.derive(base, memberIds[j]);
        }
    }

    /** σ·ξ for step {@code step} (1-based) of every member, (M, n, d) from per-member (1, n, d) draws. */
    @Override
    public NDArray draw(NDManager sm, int step, long neurons, long dim, float sigma, DataType dtype) {
        Shape one = new Shape(1, neurons, dim);
        if (memberSeeds.length == 1) {
            return drawOne(sm, 0, step, one, sigma, dtype);
        }
        NDList parts = new NDList(memberSeeds.length);
        for (int j = 0; j < memberSeeds.length; j++) {
            parts.add(drawOne(sm, j, step, one, sigma, dtype));
        }
        NDArray stacked = NDArrays.concat(parts, 0);
        parts.close(); // the stack is a copy: free the parts now, not when the step's manager closes
        return stacked;
    }

    private NDArray drawOne(NDManager sm, int j, int step, Shape shape, float sigma, DataType dtype) {
        engine.setRandomSeed(Seeds.deriveInt(memberSeeds[j], step));
        return sm.randomNormal(0f, sigma, shape, dtype);
    }
}
