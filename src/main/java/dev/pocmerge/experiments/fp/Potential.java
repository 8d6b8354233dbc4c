package dev.pocmerge.experiments.fp;

/** A confining 1-D potential V for the Langevin dynamics dX = −V′(X)dt + sqrt(2λ)dW. */
public enum Potential {
    /** V(x) = x²/2: an Ornstein–Uhlenbeck process, Gibbs law N(0, λ). */
    QUADRATIC("quadratic", "V(x) = x²/2") {
        @Override
        public double v(double x) {
            return 0.5 * x * x;
        }

        @Override
        public double dv(double x) {
            return x;
        }
    },
    /** V(x) = (x² − 1)²/4: two wells at ±1, a barrier of height 1/4 at 0. */
    DOUBLE_WELL("double-well", "V(x) = (x² − 1)²/4") {
        @Override
        public double v(double x) {
            double a = x * x - 1;
            return 0.25 * a * a;
        }

        @Override
        public double dv(double x) {
            return x * (x * x - 1);
        }
    };

    public final String id;
    public final String formula;

    Potential(String id, String formula) {
        this.id = id;
        this.formula = formula;
    }

    public abstract double v(double x);

    public abstract double dv(double x);
}
