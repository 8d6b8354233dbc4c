package dev.pocmerge.experiments.interp;

/**
 * Pairs the neurons of network 2 with those of network 1 before interpolating weights. A mean-field network is a
 * mean over its neurons, so any permutation of them is the same function; the paper neuron
 * {@code R·tanh(x_D)·tanh(w·z + b)} (and the classic {@code a·tanh(w·z + b)}) is also unchanged by x ↦ −x. The
 * PoC merge needs neither: it is the union of the two neuron sets.
 */
public enum NeuronMatching {
    /** Neuron i with neuron i, as the two runs happened to number them. */
    INDEX("index"),
    /** Hungarian assignment minimising Σ_i ‖x₁ᵢ − x₂_π(i)‖². */
    MATCHED("matched"),
    /** The same with the sign symmetry: cost min(‖x₁ᵢ − x₂ⱼ‖², ‖x₁ᵢ + x₂ⱼ‖²), x₂ⱼ flipped where + is smaller. */
    MATCHED_SIGN("matched ±");

    public final String label;

    NeuronMatching(String label) {
        this.label = label;
    }

    /** Network 2's particles reordered (and sign-flipped) to face network 1's: {@code (N, D)} row-major. */
    public double[] align(double[] x1, double[] x2, int n, int d) {
        if (this == INDEX) {
            return x2.clone();
        }
        double[][] cost = new double[n][n];
        boolean[][] flip = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double minus = 0;
                double plus = 0;
                for (int k = 0; k < d; k++) {
                    double a = x1[i * d + k];
                    double b = x2[j * d + k];
                    minus += (a - b) * (a - b);
                    plus += (a + b) * (a + b);
                }
                flip[i][j] = this == MATCHED_SIGN && plus < minus;
                cost[i][j] = flip[i][j] ? plus : minus;
            }
        }
        int[] pi = Hungarian.solve(cost);
        double[] out = new double[n * d];
        for (int i = 0; i < n; i++) {
            double s = flip[i][pi[i]] ? -1 : 1;
            for (int k = 0; k < d; k++) {
                out[i * d + k] = s * x2[pi[i] * d + k];
            }
        }
        return out;
    }

    /** Mean over neurons of ‖x₁ᵢ − x₂ᵢ‖² (after alignment). */
    public static double meanSquaredDistance(double[] x1, double[] x2, int n, int d) {
        double s = 0;
        for (int i = 0; i < n * d; i++) {
            s += (x1[i] - x2[i]) * (x1[i] - x2[i]);
        }
        return s / n;
    }
}
