package dev.pocmerge.experiments.plan;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The whole {@code plan-ensemble} computation: each bound shape fitted to the grid minus held-out cells and
 * validated on them, an extrapolation check (fit the smaller N, predict the larger), and the plan for the budget
 * under the chosen shape.
 */
public final class PlanEnsemble {
    private PlanEnsemble() {}

    /** A shape's fit and how well it predicts cells it did not see. */
    public record Validation(BoundFit fit, double[] fitError, double[] heldOutError, BoundFit extrapolationFit,
            double[] extrapolationError, List<EnsemblePlanner.Decision> decisions) {
        /** Share of the grid's shared budgets where the fit picks the measured best M. */
        public double decisionsRight() {
            return decisions.isEmpty() ? 0 : (double) decisions.stream()
                    .filter(d -> d.measuredBestM() == d.predictedBestM()).count() / decisions.size();
        }

        /** Mean regret of picking a cell at random, and the chance of picking the best one that way. */
        public double[] randomBaseline() {
            return new double[] {decisions.stream().mapToDouble(EnsemblePlanner.Decision::randomRegret).average()
                    .orElse(0), decisions.stream().mapToDouble(d -> 1.0 / d.cells()).average().orElse(0)};
        }

        /** Mean regret of the fit's choices over the shared budgets. */
        public double meanRegret() {
            return decisions.stream().mapToDouble(EnsemblePlanner.Decision::regret).average().orElse(0);
        }
    }

    public record Settings(long budget, BoundShape shape, double holdout, long seed) {}

    public record Result(Settings settings, SupnormGrid grid, EnsemblePlanner.Split split, int extrapolationMaxN,
            Map<BoundShape, Validation> validations, EnsemblePlanner.Plan plan) {
        public Validation chosen() {
            return validations.get(settings.shape());
        }
    }

    public static Result run(SupnormGrid grid, Settings s) {
        EnsemblePlanner.Split split = EnsemblePlanner.randomSplit(grid.cells(), s.holdout(), s.seed());
        int maxN = medianN(grid.cells());
        EnsemblePlanner.Split ex = EnsemblePlanner.byN(grid.cells(), maxN);
        Map<BoundShape, Validation> vs = new EnumMap<>(BoundShape.class);
        for (BoundShape shape : BoundShape.values()) {
            BoundFit f = BoundFit.fit(shape, grid.lambda(), split.fit());
            Validation v;
            if (ex.fit().size() >= 4 && !ex.heldOut().isEmpty()) {
                BoundFit fe = BoundFit.fit(shape, grid.lambda(), ex.fit());
                v = new Validation(f, f.relativeErrors(split.fit()), f.relativeErrors(split.heldOut()), fe,
                        fe.relativeErrors(ex.heldOut()), EnsemblePlanner.decisions(f, grid.cells(), 3));
            } else {
                v = new Validation(f, f.relativeErrors(split.fit()), f.relativeErrors(split.heldOut()), null, null,
                        EnsemblePlanner.decisions(f, grid.cells(), 3));
            }
            vs.put(shape, v);
        }
        EnsemblePlanner.Plan plan = EnsemblePlanner.plan(vs.get(s.shape()).fit(), s.budget(), grid.cells());
        return new Result(s, grid, split, maxN, vs, plan);
    }

    /** The median of the distinct N values (the lower one for an even count). */
    static int medianN(List<SupnormGrid.Cell> cells) {
        List<Integer> ns = new ArrayList<>(cells.stream().map(SupnormGrid.Cell::n).distinct().sorted().toList());
        return ns.get((ns.size() - 1) / 2);
    }
}
