package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays from Java data that own their memory. On CPU, {@code NDManager.create(float[])} only borrows a
 * Java-side buffer; anything that aliases the array (a view, or a no-op {@code toType}) reads freed memory once
 * that buffer is collected (DESIGN.md, use-after-free). A clone costs one op and removes the question.
 */
final class OwnedArrays {
    private OwnedArrays() {}

    static NDArray of(NDManager m, float[] data, Shape shape) {
        return own(m.create(data, shape));
    }

    static NDArray of(NDManager m, long[] data, Shape shape) {
        return own(m.create(data, shape));
    }

    private static NDArray own(NDArray borrowed) {
        if (borrowed.getDevice().isGpu()) {
            return borrowed; // already copied to device memory
        }
        NDArray owned = borrowed.duplicate();
        borrowed.close();
        return owned;
    }
}
