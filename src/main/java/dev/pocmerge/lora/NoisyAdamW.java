package dev.pocmerge.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * Noisy AdamW (paper Section 5.2, as its code does it): PyTorch's AdamW step, then Langevin noise on every
 * parameter, with η_k the scheduled rate of step k:
 * <pre>
 *   p ← p·(1 − η_k·wd)                                   decoupled weight decay
 *   m ← β1·m + (1−β1)·g,   v ← β2·v + (1−β2)·g²
 *   p ← p − η_k·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)
 *   p ← p + √(2·λ·η_k)·ξ,   ξ ~ N(0, I)                   the MFLD noise (eq. 3) on the adapter
 * </pre>
 * One call updates all M members of every parameter at once (no loop over M); the noise comes in as arrays
 * drawn from each member's own stream. Moments live beside the parameters, in their dtype (float32).
 */
public final class NoisyAdamW implements AutoCloseable {
    public record Hyper(double beta1, double beta2, double eps, double weightDecay, double lambda) {
        public static Hyper paper(double lambda) {
            return new Hyper(0.9, 0.999, 1e-8, 0.0, lambda);
        }

        public Hyper withWeightDecay(double wd) {
            return new Hyper(beta1, beta2, eps, wd, lambda);
        }
    }

    private final Hyper h;
    private final NDManager manager;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private int t;

    public NoisyAdamW(NDManager parent, List<NDArray> params, Hyper h) {
        this.h = h;
        this.manager = parent.newSubManager();
        for (NDArray p : params) {
            m.add(manager.zeros(p.getShape(), p.getDataType()));
            v.add(manager.zeros(p.getShape(), p.getDataType()));
        }
    }

    public Hyper hyper() {
        return h;
    }

    /** Steps taken (t of the bias correction). */
    public int steps() {
        return t;
    }

    public List<NDArray> firstMoments() {
        return m;
    }

    public List<NDArray> secondMoments() {
        return v;
    }

    /** For resuming: the step count that goes with moments restored in place. */
    public void restoreSteps(int steps) {
        this.t = steps;
    }

    /**
     * One update of every parameter in place (outside any gradient collector). {@code noise} is null when
     * λ = 0, else one standard-normal array per parameter.
     */
    public void step(List<NDArray> params, List<NDArray> grads, double lr, List<NDArray> noise) {
        t++;
        double bc1 = 1 - Math.pow(h.beta1(), t);
        double bc2 = 1 - Math.pow(h.beta2(), t);
        try (NDManager sm = manager.newSubManager()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                NDArray g = grads.get(i);
                DataType dt = p.getDataType();
                if (h.weightDecay() != 0) {
                    p.muli(c(sm, 1 - lr * h.weightDecay(), dt));
                }
                NDArray mi = m.get(i);
                NDArray vi = v.get(i);
                // every temporary starts from a constant of sm, so it belongs to sm and dies with it
                mi.muli(c(sm, h.beta1(), dt)).addi(c(sm, 1 - h.beta1(), dt).mul(g));
                vi.muli(c(sm, h.beta2(), dt)).addi(c(sm, 1 - h.beta2(), dt).mul(g).mul(g));
                NDArray denom = c(sm, 1 / bc2, dt).mul(vi).sqrt().add(c(sm, h.eps(), dt));
                p.subi(c(sm, lr / bc1, dt).mul(mi).div(denom));
                if (noise != null && h.lambda() > 0) {
                    p.addi(c(sm, Math.sqrt(2 * h.lambda() * lr), dt).mul(noise.get(i)));
                }
            }
        }
    }

    private static NDArray c(NDManager m, double v, DataType dt) {
        return dt == DataType.FLOAT64 ? Tensors.of(m, new double[] {v}, new Shape(), dt) : m.full(new Shape(), (float) v, dt);
    }

    @Override
    public void close() {
        manager.close();
    }
}
