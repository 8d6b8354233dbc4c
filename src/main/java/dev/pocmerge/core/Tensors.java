package dev.pocmerge.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Safe ways to move Java data into tensors. {@code manager.create(float[])} may leave libtorch reading a Java
 * buffer the GC can free (shared/DESIGN.md, use-after-free): every array made here is {@code duplicate()}d into memory
 * libtorch owns, and scalars are 0-d arrays made with {@code full}.
 */
public final class Tensors {
    private Tensors() {}

    /** {@code data} (row-major) as an array of {@code dtype} (FLOAT32 or FLOAT64) on the manager's device. */
    public static NDArray of(NDManager manager, float[] data, Shape shape, DataType dtype) {
        ByteBuffer b = direct(data.length * 4L);
        b.asFloatBuffer().put(data);
        return owned(manager, b, shape, DataType.FLOAT32, dtype);
    }

    public static NDArray of(NDManager manager, double[] data, Shape shape, DataType dtype) {
        ByteBuffer b = direct(data.length * 8L);
        b.asDoubleBuffer().put(data);
        return owned(manager, b, shape, DataType.FLOAT64, dtype);
    }

    /** Integer indices as an INT64 array on the manager's device. */
    public static NDArray ofLongs(NDManager manager, long[] data, Shape shape) {
        ByteBuffer b = direct(data.length * 8L);
        b.asLongBuffer().put(data);
        return owned(manager, b, shape, DataType.INT64, DataType.INT64);
    }

    /**
     * Our own direct buffer, freed right after the engine copied it. {@code manager.create(float[])} allocates a
     * direct buffer that only the garbage collector frees: a training loop uploading ids, labels and masks every
     * step grew resident memory by ~0.3 MiB per step between collections (up to -XX:MaxDirectMemorySize).
     */
    private static ByteBuffer direct(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    }

    private static NDArray owned(NDManager manager, ByteBuffer data, Shape shape, DataType from, DataType to) {
        try {
            return owned(manager.create(data, shape, from), to);
        } finally {
            UNSAFE.invokeCleaner(data);
        }
    }

    /** Frees a direct buffer now (it must not be used afterwards) instead of when the collector finds it. */
    public static void free(ByteBuffer direct) {
        if (direct.isDirect() && direct.capacity() > 0) {
            UNSAFE.invokeCleaner(direct);
        }
    }

    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private static sun.misc.Unsafe unsafe() {
        try {
            java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("sun.misc.Unsafe is needed to free direct buffers", e);
        }
    }

    /**
     * An array that owns its memory. On CPU, {@code create(float[])} only borrows a Java-side buffer, and anything
     * aliasing it (a view, a same-type {@code toType}) reads freed memory once that buffer is collected: a real
     * conversion or a {@code duplicate()} makes libtorch's own copy. On a GPU the upload already copied.
     */
    private static NDArray owned(NDArray borrowed, DataType dtype) {
        NDArray out;
        if (borrowed.getDataType() != dtype) {
            out = borrowed.toType(dtype, true);
        } else if (borrowed.getDevice().isGpu()) {
            return borrowed;
        } else {
            out = borrowed.duplicate();
        }
        borrowed.close();
        return out;
    }

    /** Values as doubles, whatever the float dtype (copies to the host). */
    public static double[] toDoubles(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** A 0-d constant of {@code like}'s dtype on {@code like}'s manager (use instead of {@code op(Number)}). */
    public static NDArray k(NDArray like, double v) {
        NDManager m = like.getManager();
        if (like.getDataType() == DataType.FLOAT64) { // full() takes a float: keep all 53 bits
            return of(m, new double[] {v}, new Shape(), DataType.FLOAT64);
        }
        return m.full(new Shape(), (float) v, like.getDataType());
    }

}
