package dev.pocmerge.experiments.symmetry;

import static dev.pocmerge.core.Tensors.k;

import ai.djl.ndarray.NDArray;
import dev.pocmerge.core.Tensors;

/** How far a particle set is from being invariant, from E^G, and one model from another. */
public final class SymmetryMetrics {
    private SymmetryMetrics() {}

    /**
     * Squared MMD between the particle set {z_i} and its image {P z_i P}, Gaussian kernel
     * κ(u, v) = exp(−‖u − v‖²/(2s²)) on R⁴ (biased V-statistic), the bandwidth scaled to the set,
     * 2s² = mean_ij ‖z_i − z_j‖² (so spreading particles do not shrink the MMD by themselves). The action is an
     * isometry, so MMD² = 2·(mean κ(z_i, z_j) − mean κ(z_i, P z_j P)); 0 iff the empirical law is invariant
     * (clamped at 0: for an invariant set the difference is rounding, of either sign).
     */
    public static double invarianceMmd2(NDArray z) {
        long n = z.getShape().get(0);
        NDArray a = z.reshape(n, 4);
        NDArray b = C2.conjugate(z).reshape(n, 4);
        // mean_ij ‖z_i − z_j‖² = 2·(mean ‖z‖² − ‖mean z‖²)
        double spread = 2 * (Tensors.toDoubles(a.square().sum(new int[] {1}).mean())[0]
                - Tensors.toDoubles(a.mean(new int[] {0}).square().sum())[0]);
        double scale = spread > 0 ? 1 / spread : 1;
        return Math.max(0, 2 * (meanKernel(a, a, scale) - meanKernel(a, b, scale)));
    }

    static double meanKernel(NDArray a, NDArray b, double scale) {
        NDArray aa = a.square().sum(new int[] {1}).expandDims(1);
        NDArray bb = b.square().sum(new int[] {1}).expandDims(0);
        NDArray d2 = aa.add(bb).sub(a.matMul(b.transpose()).mul(k(a, 2))).maximum(k(a, 0));
        return Tensors.toDoubles(d2.mul(k(a, -scale)).exp().mean())[0];
    }

    /** Mean and max over particles of the Frobenius distance to E^G, ‖z − P_E z‖ = ‖z − PzP‖/2. */
    public static double[] distanceToE(NDArray z) {
        NDArray d = z.sub(C2.projectE(z)).square().sum(new int[] {1, 2}).sqrt();
        double[] v = Tensors.toDoubles(d);
        double mean = 0;
        double max = 0;
        for (double x : v) {
            mean += x / v.length;
            max = Math.max(max, x);
        }
        return new double[] {mean, max};
    }

    /** sqrt(mean_s ‖f(x_s) − g(x_s)‖²) for outputs (2, n). */
    public static double rms(double[] f, double[] g) {
        double s = 0;
        for (int i = 0; i < f.length; i++) {
            s += (f[i] - g[i]) * (f[i] - g[i]);
        }
        return Math.sqrt(s / (f.length / 2.0));
    }
}
