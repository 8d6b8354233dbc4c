package dev.pocmerge.meanfield;

/**
 * How far a network's output f is from the reference f∞ (the N∞-neuron stand-in for the mean-field limit) over
 * the test points z_s: {@code sup = max_s |f(z_s) − f∞(z_s)|} (the norm of Theorem 4.7 and Figure 1) and
 * {@code rms = sqrt(mean_s (f(z_s) − f∞(z_s))²)}, which is steadier from run to run than the max.
 */
public record ReferenceDistance(double sup, double rms) {
    public static ReferenceDistance of(double[] f, double[] reference) {
        if (f.length != reference.length || f.length == 0) {
            throw new IllegalArgumentException(f.length + " outputs against " + reference.length + " reference outputs");
        }
        double sup = 0;
        double sq = 0;
        for (int s = 0; s < f.length; s++) {
            double e = Math.abs(f[s] - reference[s]);
            sup = Math.max(sup, e);
            sq += e * e;
        }
        return new ReferenceDistance(sup, Math.sqrt(sq / f.length));
    }
}
