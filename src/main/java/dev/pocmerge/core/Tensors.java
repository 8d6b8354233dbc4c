package dev.pocmerge.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Safe ways to move Java data into tensors. {@code manager.create(float[])} may leave libtorch reading a Java
 * buffer the GC can free (shared/DESIGN.md, use-after-free): every array made here is {@code duplicate()}d into memory
 * libtorch owns, and scalars are 0-d arrays made with {@code full}.
 */
public final class Tensors {
    private Tensors() {}

    /** {@code data} (row-major) as an array of {@code dtype} (FLOAT32 or FLOAT64) on the manager's device. */
    public static NDArray of(NDManager manager, float[] data, Shape shape, DataType dtype) {
        return owned(manager.create(data, shape), dtype);
    }

    public static NDArray of(NDManager manager, double[] data, Shape shape, DataType dtype) {
        return owned(manager.create(data, shape), dtype);
    }

    /** Integer indices as an INT64 array on the manager's device. */
    public static NDArray ofLongs(NDManager manager, long[] data, Shape shape) {
        return owned(manager.create(data, shape), DataType.INT64);
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
