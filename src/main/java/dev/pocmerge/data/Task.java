package dev.pocmerge.data;

import dev.pocmerge.core.PocmergeException;
import java.nio.file.Path;

/** The paper's synthetic tasks and their Appendix B.1 training settings. */
public enum Task {
    /** Algorithm 1; R=10, η=0.1, λ′=0.1, λ=0.01, T=200, logistic loss. */
    CIRCLES(10.0, 0.1, 0.1, 0.01, 200),
    /** Algorithm 2; R=10, η=0.01, λ′=0.1, λ=0.01, T=100, squared loss. */
    MULTIINDEX(10.0, 0.01, 0.1, 0.01, 100);

    public final double r;
    public final double eta;
    public final double lambdaPrime;
    public final double lambda;
    public final int steps;

    Task(double r, double eta, double lambdaPrime, double lambda, int steps) {
        this.r = r;
        this.eta = eta;
        this.lambdaPrime = lambdaPrime;
        this.lambda = lambda;
        this.steps = steps;
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public Dataset generate(long seed) {
        return this == CIRCLES ? Circles.generate(seed) : MultiIndex.generate(seed);
    }

    public static Task parse(String s) {
        for (Task t : values()) {
            if (t.id().equalsIgnoreCase(s.trim())) {
                return t;
            }
        }
        throw new PocmergeException("--task: '" + s + "' is not one of circles, multiindex");
    }

    /** The task's data, or the user's CSV when {@code csv} is given. */
    public Dataset data(Path csv, long seed) {
        return csv != null ? CsvData.load(csv, seed) : generate(seed);
    }
}
