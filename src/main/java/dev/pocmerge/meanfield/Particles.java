package dev.pocmerge.meanfield;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Seeds;
import dev.pocmerge.core.Tensors;
import java.util.Random;

/**
 * All particles of M networks of N neurons in ONE tensor {@code x} (M, N, D), plus velocities for the kinetic
 * dynamics. The ensemble axis comes first. Owns its arrays through its own manager.
 */
public final class Particles implements AutoCloseable {
    private final NDManager manager;
    private NDArray x;
    private NDArray v;

    private Particles(NDManager manager, NDArray x) {
        this.manager = manager;
        this.x = x;
        x.attach(manager);
    }

    /**
     * Initialisation x ~ N(0, I_D). Member m draws from {@code Seeds.derive(seed, m)}, so its start does not
     * depend on M and members are independent.
     */
    public static Particles gaussian(NDManager parent, int m, int n, int d, long seed, DataType dtype) {
        if (m <= 0) {
            throw new PocmergeException("--M: number of networks must be > 0, got " + m);
        }
        if (n <= 0) {
            throw new PocmergeException("--N: neurons per network must be > 0, got " + n);
        }
        int dd = d + 2;
        long total = (long) m * n * dd;
        if (total > Integer.MAX_VALUE) {
            throw new PocmergeException("--M × --N × D = " + total + " parameters is too many for one tensor");
        }
        float[] data = new float[(int) total];
        for (int member = 0; member < m; member++) {
            Random rng = new Random(Seeds.derive(seed, member));
            int off = member * n * dd;
            for (int i = 0; i < n * dd; i++) {
                data[off + i] = (float) rng.nextGaussian();
            }
        }
        NDManager own = parent.newSubManager();
        return new Particles(own, Tensors.of(own, data, new Shape(m, n, dd), dtype));
    }

    public NDArray x() {
        return x;
    }

    /** Velocities (zeros until first asked for). */
    public NDArray v() {
        if (v == null) {
            v = manager.zeros(x.getShape(), x.getDataType());
        }
        return v;
    }

    /** Replaces the state; the old arrays are closed. */
    void update(NDArray newX, NDArray newV) {
        newX.attach(manager);
        if (newX != x) {
            x.close();
            x = newX;
        }
        if (newV != null) {
            newV.attach(manager);
            if (v != null && v != newV) {
                v.close();
            }
            v = newV;
        }
    }

    public NDManager manager() {
        return manager;
    }

    public int members() {
        return (int) x.getShape().get(0);
    }

    public int neurons() {
        return (int) x.getShape().get(1);
    }

    public int dim() {
        return (int) x.getShape().get(2);
    }

    @Override
    public void close() {
        manager.close();
    }
}
