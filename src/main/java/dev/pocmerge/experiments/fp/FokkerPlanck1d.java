package dev.pocmerge.experiments.fp;

/**
 * The Fokker–Planck equation of dX = −V′(X)dt + sqrt(2λ)dW on [a, b] with no-flux walls,
 * {@code ∂ρ/∂t = ∂x(ρ·V′) + λ·∂²ρ/∂x² = −∂x J}, {@code J = −λ·e^{−V/λ}·∂x(ρ·e^{V/λ})}, by finite volumes: cell
 * averages ρ_i on a uniform grid of width h and the Scharfetter–Gummel flux
 * {@code J_{i+1/2} = (λ/h)·(B(δ)·ρ_i − B(−δ)·ρ_{i+1})}, δ = (V_{i+1} − V_i)/λ, B(s) = s/(e^s − 1). The flux form
 * conserves mass exactly (what leaves a cell enters its neighbour), and since B(−δ) = e^δ·B(δ) the flux vanishes
 * on ρ_i ∝ e^{−V(x_i)/λ}: the discrete stationary state is the Gibbs density sampled at the cell centres. Time
 * steps are Crank–Nicolson, {@code (I − ½Δt·A)ρ^{n+1} = (I + ½Δt·A)ρ^n}, solved with the Thomas algorithm.
 */
public final class FokkerPlanck1d {
    private final Potential potential;
    private final double lambda;
    private final double a;
    private final double h;
    private final int cells;
    /** Tridiagonal generator A: (Aρ)_i = lower_i·ρ_{i−1} + diag_i·ρ_i + upper_i·ρ_{i+1}. */
    private final double[] lower;
    private final double[] diag;
    private final double[] upper;
    private double[] rho;

    public FokkerPlanck1d(Potential potential, double lambda, double a, double b, int cells) {
        if (!(b > a) || cells < 3 || !(lambda > 0)) {
            throw new IllegalArgumentException("need b > a, ≥ 3 cells and λ > 0");
        }
        this.potential = potential;
        this.lambda = lambda;
        this.a = a;
        this.cells = cells;
        this.h = (b - a) / cells;
        lower = new double[cells];
        diag = new double[cells];
        upper = new double[cells];
        for (int i = 0; i + 1 < cells; i++) {
            double delta = (potential.v(center(i + 1)) - potential.v(center(i))) / lambda;
            double out = lambda / (h * h) * bernoulli(delta);   // from ρ_i to the right
            double in = lambda / (h * h) * bernoulli(-delta);   // from ρ_{i+1} to the left
            // dρ_i/dt = −(J_{i+1/2} − J_{i−1/2})/h, J_{i+1/2}/h = out·ρ_i − in·ρ_{i+1}
            diag[i] -= out;
            upper[i] += in;
            diag[i + 1] -= in;
            lower[i + 1] += out;
        }
        rho = new double[cells];
    }

    /** B(s) = s/(e^s − 1), B(0) = 1, evaluated stably on both sides. */
    static double bernoulli(double s) {
        if (Math.abs(s) < 1e-8) {
            return 1 - s / 2;
        }
        return s / Math.expm1(s);
    }

    public double center(int i) {
        return a + (i + 0.5) * h;
    }

    public double h() {
        return h;
    }

    public int cells() {
        return cells;
    }

    public double left() {
        return a;
    }

    /** Sets ρ to a Gaussian N(mean, std²) averaged over each cell (exactly, via the normal CDF). */
    public void setGaussian(double mean, double std) {
        org.apache.commons.math3.distribution.NormalDistribution n =
                new org.apache.commons.math3.distribution.NormalDistribution(null, mean, std);
        for (int i = 0; i < cells; i++) {
            rho[i] = (n.cumulativeProbability(a + (i + 1) * h) - n.cumulativeProbability(a + i * h)) / h;
        }
    }

    public void set(double[] density) {
        rho = density.clone();
    }

    /** Cell averages of the density. */
    public double[] density() {
        return rho.clone();
    }

    public double mass() {
        double m = 0;
        for (double r : rho) {
            m += r * h;
        }
        return m;
    }

    /** One Crank–Nicolson step of size dt. */
    public void step(double dt) {
        double[] rhs = new double[cells];
        double[] lo = new double[cells];
        double[] di = new double[cells];
        double[] up = new double[cells];
        for (int i = 0; i < cells; i++) {
            double ar = diag[i] * rho[i] + (i > 0 ? lower[i] * rho[i - 1] : 0) + (i + 1 < cells ? upper[i] * rho[i + 1] : 0);
            rhs[i] = rho[i] + 0.5 * dt * ar;
            lo[i] = -0.5 * dt * lower[i];
            di[i] = 1 - 0.5 * dt * diag[i];
            up[i] = -0.5 * dt * upper[i];
        }
        rho = thomas(lo, di, up, rhs);
    }

    /** Solves the tridiagonal system (lo_i x_{i−1} + di_i x_i + up_i x_{i+1} = r_i); diagonally dominant here. */
    static double[] thomas(double[] lo, double[] di, double[] up, double[] r) {
        int n = di.length;
        double[] c = new double[n];
        double[] d = new double[n];
        c[0] = up[0] / di[0];
        d[0] = r[0] / di[0];
        for (int i = 1; i < n; i++) {
            double m = di[i] - lo[i] * c[i - 1];
            c[i] = up[i] / m;
            d[i] = (r[i] - lo[i] * d[i - 1]) / m;
        }
        double[] x = new double[n];
        x[n - 1] = d[n - 1];
        for (int i = n - 2; i >= 0; i--) {
            x[i] = d[i] - c[i] * x[i + 1];
        }
        return x;
    }

    /**
     * The Gibbs density e^{−V/λ}/Z at the cell centres, Z by composite Simpson on a grid 8× finer than the
     * cells (so Z's own error is far below the scheme's).
     */
    public double[] gibbs() {
        int fine = 8 * cells;
        double hf = h * cells / fine;
        double z = 0;
        for (int k = 0; k <= fine; k++) {
            double w = k == 0 || k == fine ? 1 : (k % 2 == 1 ? 4 : 2);
            z += w * Math.exp(-potential.v(a + k * hf) / lambda);
        }
        z *= hf / 3;
        double[] g = new double[cells];
        for (int i = 0; i < cells; i++) {
            g[i] = Math.exp(-potential.v(center(i)) / lambda) / z;
        }
        return g;
    }

    /** ∫|ρ − q| over the grid, for cell-average vectors. */
    public double l1(double[] q) {
        double s = 0;
        for (int i = 0; i < cells; i++) {
            s += Math.abs(rho[i] - q[i]) * h;
        }
        return s;
    }
}
