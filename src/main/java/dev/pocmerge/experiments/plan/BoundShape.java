package dev.pocmerge.experiments.plan;

import dev.pocmerge.core.PocmergeException;
import java.util.List;
import java.util.Locale;

/**
 * The shape of an error bound in the budget K = M·N, as a sum of non-negative constants times fixed terms, so
 * that fitting it is a linear least-squares problem.
 */
public enum BoundShape {
    /**
     * The shape the discussion after Theorem 4.7 gives the sup-norm bound:
     * {@code c₁/K + c₂/sqrt(λ·M·K) + c₃·M/(λ·K)}. The last term is the PoC bias of each member (1/(λN), not
     * reduced by merging), the middle one the fluctuation that merging M members averages out.
     */
    THEOREM("theorem", List.of("c₁", "c₂", "c₃"), "c₁/K + c₂/sqrt(λ·M·K) + c₃·M/(λ·K)"),
    /**
     * Our alternative: {@code c₀ + c₁/sqrt(K) + c₃·M/(λ·K)}: a floor (the N∞ reference's own distance to the
     * limit, which no ensemble can beat), the Monte-Carlo error of K neurons, and the same per-member bias.
     */
    SQRT("sqrt", List.of("c₀", "c₁", "c₃"), "c₀ + c₁/sqrt(K) + c₃·M/(λ·K)");

    public final String id;
    public final List<String> names;
    public final String formula;

    BoundShape(String id, List<String> names, String formula) {
        this.id = id;
        this.names = names;
        this.formula = formula;
    }

    /** The fixed terms φ_j(M, N) multiplying the constants. */
    public double[] terms(int m, int n, double lambda) {
        double k = (double) m * n;
        return switch (this) {
            case THEOREM -> new double[] {1 / k, 1 / Math.sqrt(lambda * m * k), m / (lambda * k)};
            case SQRT -> new double[] {1, 1 / Math.sqrt(k), m / (lambda * k)};
        };
    }

    public static BoundShape parse(String s) {
        for (BoundShape b : values()) {
            if (b.id.equalsIgnoreCase(s.trim())) {
                return b;
            }
        }
        throw new PocmergeException("--shape: '" + s + "' is not one of theorem, sqrt");
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
