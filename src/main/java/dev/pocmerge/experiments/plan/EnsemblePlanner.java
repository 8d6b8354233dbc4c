package dev.pocmerge.experiments.plan;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Seeds;
import dev.pocmerge.core.Shuffle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * How many members for a neuron budget K = M·N: fit a bound's shape to a measured sup-norm grid (cells held out
 * of the fit validate it), then predict the merged net's sup-norm for every M that divides K.
 */
public final class EnsemblePlanner {
    private static final long HOLDOUT_SALT = 0x484F4C44L;

    private EnsemblePlanner() {}

    /** Cells used for the fit and cells held out of it. */
    public record Split(List<SupnormGrid.Cell> fit, List<SupnormGrid.Cell> heldOut) {}

    /** Holds out {@code round(fraction·cells)} cells drawn uniformly without replacement from {@code seed}. */
    public static Split randomSplit(List<SupnormGrid.Cell> cells, double fraction, long seed) {
        if (!(fraction >= 0 && fraction <= 0.8)) {
            throw new PocmergeException("--holdout: fraction of cells held out must be in [0, 0.8], got " + fraction);
        }
        int out = (int) Math.round(fraction * cells.size());
        int[] perm = Shuffle.identity(cells.size());
        Shuffle.sample(perm, out, new Random(Seeds.derive(seed, HOLDOUT_SALT)));
        boolean[] held = new boolean[cells.size()];
        for (int i = 0; i < out; i++) {
            held[perm[i]] = true;
        }
        List<SupnormGrid.Cell> fit = new ArrayList<>();
        List<SupnormGrid.Cell> ho = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            (held[i] ? ho : fit).add(cells.get(i));
        }
        if (fit.size() < 4) {
            throw new PocmergeException("--holdout " + fraction + " leaves " + fit.size()
                    + " cells to fit three constants; hold out fewer");
        }
        return new Split(fit, ho);
    }

    /** Extrapolation check: fit the cells with N ≤ {@code maxN}, hold out the larger N. */
    public static Split byN(List<SupnormGrid.Cell> cells, int maxN) {
        List<SupnormGrid.Cell> fit = new ArrayList<>();
        List<SupnormGrid.Cell> ho = new ArrayList<>();
        for (SupnormGrid.Cell c : cells) {
            (c.n() <= maxN ? fit : ho).add(c);
        }
        return new Split(fit, ho);
    }

    /** One way to spend the budget; {@code inGrid}: M and N both inside the measured grid's ranges. */
    public record Option(int m, long n, double predicted, boolean inGrid) {}

    /** Every M dividing the budget, and the one with the smallest predicted sup-norm. */
    public record Plan(long budget, List<Option> options, Option best) {}

    public static Plan plan(BoundFit fit, long budget, List<SupnormGrid.Cell> grid) {
        if (budget <= 0) {
            throw new PocmergeException("--budget: total neurons K = M·N must be > 0, got " + budget);
        }
        if (budget > Integer.MAX_VALUE) {
            throw new PocmergeException("--budget: at most " + Integer.MAX_VALUE + " neurons, got " + budget);
        }
        int mLo = grid.stream().mapToInt(SupnormGrid.Cell::m).min().orElse(1);
        int mHi = grid.stream().mapToInt(SupnormGrid.Cell::m).max().orElse(1);
        int nLo = grid.stream().mapToInt(SupnormGrid.Cell::n).min().orElse(1);
        int nHi = grid.stream().mapToInt(SupnormGrid.Cell::n).max().orElse(1);
        List<Option> opts = new ArrayList<>();
        for (long m : divisors(budget)) {
            long n = budget / m;
            opts.add(new Option((int) m, n, fit.predict((int) m, (int) n),
                    m >= mLo && m <= mHi && n >= nLo && n <= nHi));
        }
        Option best = opts.stream().min(Comparator.comparingDouble(Option::predicted)).orElseThrow();
        return new Plan(budget, opts, best);
    }

    /** Divisors of k in increasing order. */
    static List<Long> divisors(long k) {
        List<Long> lo = new ArrayList<>();
        List<Long> hi = new ArrayList<>();
        for (long d = 1; d * d <= k; d++) {
            if (k % d == 0) {
                lo.add(d);
                if (d != k / d) {
                    hi.add(0, k / d);
                }
            }
        }
        lo.addAll(hi);
        return lo;
    }

    /**
     * For a budget K measured at several (M, N) cells of the grid: the M the measurements favour and the M the
     * fit favours among those same cells, and the measured sup-norm at the fit's choice.
     */
    public record Decision(long k, int cells, int measuredBestM, double measuredBest, int predictedBestM,
            double measuredAtPredicted, double measuredMean) {
        /** How much worse the fit's choice measured than the best choice, as a fraction. */
        public double regret() {
            return measuredAtPredicted / measuredBest - 1;
        }

        /** The regret of picking one of the budget's cells at random (a baseline for {@link #regret}). */
        public double randomRegret() {
            return measuredMean / measuredBest - 1;
        }
    }

    /** One {@link Decision} per budget that at least {@code minCells} cells of the grid share. */
    public static List<Decision> decisions(BoundFit fit, List<SupnormGrid.Cell> grid, int minCells) {
        Map<Long, List<SupnormGrid.Cell>> byK = new HashMap<>();
        for (SupnormGrid.Cell c : grid) {
            byK.computeIfAbsent(c.k(), x -> new ArrayList<>()).add(c);
        }
        List<Decision> out = new ArrayList<>();
        byK.entrySet().stream().filter(e -> e.getValue().size() >= minCells).sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    List<SupnormGrid.Cell> cs = e.getValue();
                    SupnormGrid.Cell meas = cs.stream().min(Comparator.comparingDouble(SupnormGrid.Cell::supNorm))
                            .orElseThrow();
                    SupnormGrid.Cell pred = cs.stream()
                            .min(Comparator.comparingDouble(c -> fit.predict(c.m(), c.n()))).orElseThrow();
                    out.add(new Decision(e.getKey(), cs.size(), meas.m(), meas.supNorm(), pred.m(),
                            pred.supNorm(), cs.stream().mapToDouble(SupnormGrid.Cell::supNorm).average()
                                    .orElseThrow()));
                });
        return out;
    }
}
