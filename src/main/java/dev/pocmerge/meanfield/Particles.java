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
 * dynamics. The ensemble axis comes first. Owns its arrays through its own manager. Row j of the M axis is the
 * ensemble's member {@code memberIds()[j]} (its global index): every seeded stream of a member (initialisation,
 * minibatches, Langevin noise) is keyed by that index, never by the row, so a member trained alone or with any
 * other members follows the same trajectory.
 */
public final class Particles implements AutoCloseable {
    private final NDManager manager;
    private final int[] memberIds;
    private NDArray x;
    private NDArray v;

    private Particles(NDManager manager, NDArray x, int[] memberIds) {
        this.manager = manager;
        this.x = x;
        this.memberIds = memberIds.clone();
        x.attach(manager);
    }

    /** Members 0..m−1 of an ensemble; see {@link #gaussian(NDManager, int[], int, int, long, DataType)}. */
    public static Particles gaussian(NDManager parent, int m, int n, int d, long seed, DataType dtype) {
        if (m <= 0) {
            throw new PocmergeException("--M: number of networks must be > 0, got " + m);
        }
        int[] all = new int[m];
        java.util.Arrays.setAll(all, i -> i);
        return gaussian(parent, all, n, d, seed, dtype);
    }

    /**
     * Initialisation x ~ N(0, I_D) of the members {@code ids} (global indices, one row each, in this order).
     * Member m draws from {@code Seeds.derive(seed, m)}, so its start does not depend on M or on which members
     * share the tensor, and members are independent.
     */
    public static Particles gaussian(NDManager parent, int[] ids, int n, int d, long seed, DataType dtype) {
        int m = ids.length;
        if (m == 0) {
            throw new PocmergeException("--members: no member to train");
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
            Random rng = new Random(Seeds.derive(seed, ids[member]));
            int off = member * n * dd;
            for (int i = 0; i < n * dd; i++) {
                data[off + i] = (float) rng.nextGaussian();
            }
        }
        NDManager own = parent.newSubManager();
        return new Particles(own, Tensors.of(own, data, new Shape(m, n, dd), dtype), ids);
    }

    /**
     * Wraps {@code x} (M, N, D), e.g. particles read back from a file, as members {@code ids}; the array moves
     * under a new sub-manager of {@code parent}.
     */
    public static Particles of(NDManager parent, NDArray x, int[] ids) {
        if (x.getShape().dimension() != 3 || x.getShape().get(0) != ids.length) {
            throw new IllegalArgumentException("x " + x.getShape() + " does not hold " + ids.length + " members");
        }
        return new Particles(parent.newSubManager(), x, ids);
    }

    /** Global index of each row of the M axis. */
    public int[] memberIds() {
        return memberIds.clone();
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

    /** Replaces the state with a step's result (its {@code v} is null for overdamped dynamics: v stays). */
    void update(MfldStep.State next) {
        update(next.x(), next.v());
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
