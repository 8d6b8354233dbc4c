package dev.pocmerge.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.pocmerge.core.Seeds;
import java.util.ArrayList;
import java.util.List;

/**
 * Every random draw of member m (the validation split aside: data.MemberSplit) comes from a stream keyed by
 * (seed, purpose, m, coordinates), never from a shared generator: that is what makes member m's trajectory
 * independent of M and of the other members in the process (the scale-out contract). Engine draws re-seed libtorch's generator (64-bit) before each member's
 * draw; the draws of several members are then stacked on the ensemble axis. Re-seeding costs one call per
 * member and draw, a Java loop over M that only orders random draws.
 */
public final class MemberStreams {
    /** Salts of the independent purposes. */
    public enum Purpose { INIT, DROPOUT, NOISE, DATA }

    private final long seed;

    public MemberStreams(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** The 64-bit key of one draw. */
    public long key(Purpose p, int member, long... coords) {
        long z = Seeds.derive(Seeds.derive(seed, 1000 + p.ordinal()), member);
        for (long c : coords) {
            z = Seeds.derive(z, c);
        }
        return z;
    }

    /** A Java generator for host-side draws (initial A, data order). */
    public java.util.SplittableRandom java(Purpose p, int member, long... coords) {
        return new java.util.SplittableRandom(key(p, member, coords));
    }

    /**
     * Standard normal draws for {@code shapes} (each without the member axis), member by member in
     * {@code members} order; result i is (M, shape_i) with slot s drawn from member s's stream at {@code coords}.
     */
    public List<NDArray> normals(NDManager m, int[] members, List<Shape> shapes, DataType dtype, long... coords) {
        List<List<NDArray>> perShape = new ArrayList<>();
        shapes.forEach(s -> perShape.add(new ArrayList<>()));
        for (int member : members) {
            JniUtils.setSeed(key(Purpose.NOISE, member, coords));
            for (int i = 0; i < shapes.size(); i++) {
                perShape.get(i).add(m.randomNormal(0f, 1f, shapes.get(i), dtype));
            }
        }
        List<NDArray> out = new ArrayList<>();
        for (List<NDArray> draws : perShape) {
            out.add(NDArrays.stack(new NDList(draws), 0));
            draws.forEach(NDArray::close);
        }
        return out;
    }

    /** Uniform [0, 1) draws of {@code shape} for one member at {@code coords} (dropout). */
    public NDArray uniform(NDManager m, int member, Shape shape, DataType dtype, long... coords) {
        JniUtils.setSeed(key(Purpose.DROPOUT, member, coords));
        return m.randomUniform(0f, 1f, shape, dtype);
    }
}
