package dev.pocmerge.experiments.dynamics;

import java.util.Locale;

/** README.md of a dynamics comparison: how to regenerate it, what it shows, where it differs. */
final class DynamicsReadme {
    private DynamicsReadme() {}

    static String text(DynamicsComparison.Result r, String command, String device) {
        DynamicsComparison.Settings s = r.settings();
        StringBuilder b = new StringBuilder("# Overdamped vs underdamped MFLD\n\n");
        b.append("The seed report's Figure 17: the objective and the test error per step of overdamped MFLD and "
                + "of underdamped (kinetic) MFLD over a small grid of friction γ, at the same η and λ, on both "
                + "tasks. Regenerate with\n\n```\n").append(command).append("\n```\n\n");
        b.append(String.format(Locale.ROOT, "Wall time %.0f s on %s.%n%n", r.seconds(), device));
        b.append("## Settings\n\n");
        b.append(String.format(Locale.ROOT, "- %d networks of N=%d neurons (paper neuron, R=10), full batch, seed "
                + "%d; every run starts from the same particles (member m from `Seeds.derive(seed, m)`) with the "
                + "same noise streams, v = 0 for the kinetic runs%n", s.members(), s.neurons(), s.seed()));
        for (DynamicsComparison.TaskRun t : s.tasks()) {
            b.append(String.format(Locale.ROOT, "- %s: η=%s, λ=%s, λ′=%s (Appendix B.1), T=%d steps (time ηT = "
                    + "%.0f), recorded every %d steps%n", t.task().id(), t.task().eta, t.task().lambda,
                    t.task().lambdaPrime, t.steps(), t.task().eta * t.steps(), t.every()));
        }
        b.append("- overdamped, eq. (3): x ← x − η∇(δF/δμ)(x) + sqrt(2λη)ξ; underdamped: v ← (1−γη)v − "
                + "η∇(δF/δμ)(x) + sqrt(2γλη)ξ, x ← x + ηv, γ ∈ " + s.gammas() + "\n");
        b.append("- objective: the members' mean F = (1/n)Σℓ + λ′·(1/N)Σ‖x‖² (the trained loss: logistic, or "
                + "½(f−y)²), without the entropy term, which a particle set does not give; test error: "
                + "misclassification (circles) or MSE (multi-index), mean over the members\n\n");
        b.append("## Result\n\n![dynamics](dynamics.png)\n\n");
        b.append(DynamicsReport.summary(r).markdown()).append('\n');
        b.append("`curves.csv` has every recorded step.\n\n## What it shows\n\n");
        for (DynamicsComparison.TaskRun t : s.tasks()) {
            DynamicsComparison.Curve over = DynamicsReport.overdamped(r, t.task());
            double target = DynamicsReport.last(over.objective());
            StringBuilder reach = new StringBuilder();
            DynamicsComparison.Curve fastest = null;
            int fastestK = Integer.MAX_VALUE;
            for (DynamicsComparison.Curve c : r.curves()) {
                if (c.task() != t.task()) {
                    continue;
                }
                int k = DynamicsReport.reach(c, target);
                reach.append(reach.length() == 0 ? "" : ", ").append(c.label()).append(": ")
                        .append(k < 0 ? "not within T" : k);
                if (k >= 0 && k < fastestK) {
                    fastestK = k;
                    fastest = c;
                }
            }
            b.append(String.format(Locale.ROOT, "- %s: steps to reach the overdamped run's final objective %.4f "
                    + "(±1 %%): %s. Fastest: %s.%n", t.task().id(), target, reach, fastest == null ? "none"
                    : fastest.label()));
        }
        b.append("\nAt the same η the friction sets the pace: the kinetic dynamics' overdamped limit is "
                + "dx = −(1/γ)∇(δF/δμ)dt + sqrt(2λ/γ)dW, so a large γ moves the particles about γ times more "
                + "slowly, while a small γ keeps momentum and can overtake the overdamped run after a slower start "
                + "(v starts at 0). Both dynamics have the same stationary law in x, the proximal Gibbs measure "
                + "∝ exp(−(δF/δμ)/λ), so given time they reach the same objective; the test errors follow the "
                + "objectives, up to the circles test set's granularity.\n\n");
        b.append("## Where this differs from the source\n\n");
        b.append("Figure 17's values are not in the text we have, so we compare the qualitative picture "
                + "(convergence per step of both dynamics across γ). Differences: (1) the objective plotted "
                + "omits the entropy λ·Ent(μ), so it is F, not the free energy that MFLD decreases, and it need "
                + "not be monotone; (2) γ is a physical friction on the same grid for both tasks, while η "
                + "differs by task (0.1 and 0.01), so γη spans different ranges; (3) the runs are small (a few "
                + "nets of 100 neurons, chosen to regenerate in well under a minute), so the circles "
                + "test error moves in steps of one test point (2.5 %).\n");
        return b.toString();
    }
}
