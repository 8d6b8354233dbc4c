package dev.pocmerge.meanfield;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Tensors;
import java.util.Random;

/** Random small problems for the mean-field tests. */
final class Fixtures {
    private Fixtures() {}

    static float[] gaussian(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (scale * r.nextGaussian());
        }
        return a;
    }

    /** Labels ±1 (classification) or real. */
    static float[] labels(Random r, int n, boolean pm1) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = pm1 ? (r.nextBoolean() ? 1f : -1f) : (float) (2 * r.nextGaussian());
        }
        return y;
    }

    static NDArray particles(NDManager m, Random r, int members, int n, int dd, DataType dtype) {
        return Tensors.of(m, gaussian(r, members * n * dd, 0.8), new Shape(members, n, dd), dtype);
    }
}
