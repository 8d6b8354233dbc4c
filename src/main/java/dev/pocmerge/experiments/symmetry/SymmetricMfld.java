package dev.pocmerge.experiments.symmetry;

import static dev.pocmerge.core.Tensors.k;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Seeds;
import dev.pocmerge.core.Tensors;
import java.util.Random;

/**
 * MFLD for the C₂ teacher-student model, five ways (the poster "learning with symmetries"):
 * {@code z ← z − η·(∇(δL/δμ)(z) + τ·∇r(z)) + sqrt(2βη)·ξ}, r(z) = ‖z‖², with
 * <ul>
 *   <li>PLAIN: the loss of f_μ on the data;</li>
 *   <li>DA (data augmentation): each sample replaced by (g_s·x_s, g_s·y_s), a fresh random g_s ∈ G per sample and
 *       step;</li>
 *   <li>FA (feature averaging): the loss of the symmetrised model Q_G f_μ;</li>
 *   <li>EA (equivariant architecture): the parameters projected onto E^G after every step;</li>
 *   <li>PROJECTED_NOISE: the plain gradient with the noise projected, {@code + sqrt(2βη)·P_E ξ}.</li>
 * </ul>
 * Every method draws the same ξ at step k (from (seed, k)), so runs differ only by their method.
 */
public final class SymmetricMfld {
    private static final long NOISE_SALT = 0x53594DL;
    private static final long DA_SALT = 0x4441L;

    public enum Method {
        PLAIN("plain"), DA("data augmentation"), FA("feature averaging"), EA("equivariant architecture"),
        PROJECTED_NOISE("projected noise");

        public final String label;

        Method(String label) {
            this.label = label;
        }
    }

    /** Step η, L2 weight τ, temperature β, steps T. */
    public record Hyper(double eta, double tau, double beta, int steps) {}

    /** Called with the particles after steps 0 (the start), every, 2·every, ..., T. */
    @FunctionalInterface
    public interface Recorder {
        void record(int step, NDArray z);
    }

    private SymmetricMfld() {}

    /**
     * Trains particles {@code z0} (N, 2, 2) on the columns of x, y (2, n) and returns the final particles (on
     * {@code manager}).
     */
    public static NDArray train(NDManager manager, Method method, NDArray z0, NDArray x, NDArray y, Hyper h,
            long seed, int every, Recorder recorder) {
        Engine engine = Engine.getEngine("PyTorch");
        NDArray z = z0.duplicate();
        z.attach(manager);
        recorder.record(0, z);
        int n = (int) x.getShape().get(1);
        for (int step = 1; step <= h.steps(); step++) {
            NDArray next;
            try (NDManager sm = manager.newSubManager()) {
                z.tempAttach(sm);
                x.tempAttach(sm);
                y.tempAttach(sm);
                engine.setRandomSeed(Seeds.deriveInt(Seeds.derive(seed, NOISE_SALT), step));
                NDArray xi = sm.randomNormal(0, 1, z.getShape(), z.getDataType());
                NDArray mask = method == Method.DA ? daMask(sm, n, seed, step, z.getDataType()) : null;
                next = step(method, z, x, y, mask, xi, h);
                next.attach(manager);
            }
            z.close();
            z = next;
            if (step % every == 0) {
                recorder.record(step, z);
            }
        }
        return z;
    }

    /** 1 where sample s is replaced by its image under P at this step, else 0: (1, n). */
    static NDArray daMask(NDManager sm, int n, long seed, int step, DataType dtype) {
        Random rng = new Random(Seeds.derive(Seeds.derive(seed, DA_SALT), step));
        float[] m = new float[n];
        for (int s = 0; s < n; s++) {
            m[s] = rng.nextBoolean() ? 1f : 0f;
        }
        return Tensors.of(sm, m, new Shape(1, n), dtype);
    }

    /** One update of every particle; {@code xi} standard normal (N, 2, 2), {@code mask} only for DA. */
    static NDArray step(Method method, NDArray z, NDArray x, NDArray y, NDArray mask, NDArray xi, Hyper h) {
        long n = x.getShape().get(1);
        NDArray grad;
        if (method == Method.FA) {
            // Q_G f(x) = ½(f(x) + P f(Px)): the plain gradient formula over [x, Px] with weights ½[w̄, P w̄]
            NDArray x2 = x.concat(C2.act(x), 1);
            NDArray s2 = TwoByTwoNet.activations(z, x2);
            NDArray f2 = s2.mean(new int[] {0});
            NDArray fbar = f2.get(":, :{}", n).add(C2.act(f2.get(":, {}:", n))).mul(k(z, 0.5));
            NDArray w = fbar.sub(y).mul(k(z, 1.0 / n));
            NDArray w2 = w.concat(C2.act(w), 1).mul(k(z, 0.5));
            grad = TwoByTwoNet.meanFieldGradient(s2, x2, w2);
        } else {
            NDArray xs = x;
            NDArray ys = y;
            if (mask != null) { // (g_s x_s, g_s y_s) = x + mask·(Px − x)
                xs = x.add(C2.act(x).sub(x).mul(mask));
                ys = y.add(C2.act(y).sub(y).mul(mask));
            }
            NDArray s = TwoByTwoNet.activations(z, xs);
            NDArray w = s.mean(new int[] {0}).sub(ys).mul(k(z, 1.0 / n));
            grad = TwoByTwoNet.meanFieldGradient(s, xs, w);
        }
        NDArray drift = grad.add(z.mul(k(z, 2 * h.tau())));                       // ∇(δL/δμ) + τ∇‖z‖²
        NDArray noise = method == Method.PROJECTED_NOISE || method == Method.EA ? C2.projectE(xi) : xi;
        NDArray next = z.sub(drift.mul(k(z, h.eta()))).add(noise.mul(k(z, Math.sqrt(2 * h.beta() * h.eta()))));
        return method == Method.EA ? C2.projectE(next) : next;
    }
}
