package dev.pocmerge.experiments.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The budget planner: exact NNLS fits, the divisor plan, held-out splits and the command's files and errors. */
class PlanEnsembleTest {
    static final double LAMBDA = 0.01;

    @TempDir
    Path tmp;

    static List<SupnormGrid.Cell> grid(BoundShape shape, double[] c, double noise, long seed) {
        Random rng = new Random(seed);
        List<SupnormGrid.Cell> cells = new ArrayList<>();
        for (int n = 50; n <= 500; n += 50) {
            for (int m = 1; m <= 20; m++) {
                double[] phi = shape.terms(m, n, LAMBDA);
                double s = 0;
                for (int j = 0; j < phi.length; j++) {
                    s += c[j] * phi[j];
                }
                cells.add(new SupnormGrid.Cell(n, m, s * Math.exp(noise * rng.nextGaussian())));
            }
        }
        return cells;
    }

    @Test
    void fitRecoversTheConstantsOfAnExactGridIncludingAZeroOne() {
        for (BoundShape shape : BoundShape.values()) {
            double[] truth = shape == BoundShape.THEOREM ? new double[] {0, 0.16, 0.028} : new double[] {0.001, 1.3, 0};
            BoundFit f = BoundFit.fit(shape, LAMBDA, grid(shape, truth, 0, 1));
            for (int j = 0; j < truth.length; j++) {
                assertEquals(truth[j], f.constants()[j], 1e-9 * (1 + truth[j]), shape + " " + shape.names.get(j));
            }
            assertEquals(0, f.rmsRelative(), 1e-9);
        }
    }

    /** KKT conditions of min ‖A c − 1‖² over c ≥ 0 (A = φ/s): gradient 0 where c > 0, ≥ 0 where c = 0. */
    @Test
    void fitSatisfiesTheNonNegativeLeastSquaresOptimalityConditions() {
        // data from the sqrt shape seen through the theorem shape: the unconstrained fit wants a negative c₁
        List<SupnormGrid.Cell> cells = grid(BoundShape.SQRT, new double[] {0.002, 1.2, 0.0002}, 0.1, 7);
        for (BoundShape shape : BoundShape.values()) {
            BoundFit f = BoundFit.fit(shape, LAMBDA, cells);
            double[] c = f.constants();
            double[] grad = new double[c.length];
            double scale = 0;
            for (SupnormGrid.Cell cell : cells) {
                double[] phi = shape.terms(cell.m(), cell.n(), LAMBDA);
                double r = f.predict(cell.m(), cell.n()) / cell.supNorm() - 1;
                for (int j = 0; j < c.length; j++) {
                    grad[j] += 2 * r * phi[j] / cell.supNorm();
                    scale += Math.abs(phi[j] / cell.supNorm());
                }
            }
            for (int j = 0; j < c.length; j++) {
                assertTrue(c[j] >= 0, shape + " c" + j + " = " + c[j]);
                if (c[j] > 0) {
                    assertEquals(0, grad[j], 1e-9 * scale, shape + " stationary in c" + j);
                } else {
                    assertTrue(grad[j] >= -1e-9 * scale, shape + " c" + j + " = 0 must not want to decrease");
                }
            }
        }
        // the theorem shape cannot use a negative c₁ here: the boundary case is exercised
        assertEquals(0.0, BoundFit.fit(BoundShape.THEOREM, LAMBDA, cells).constants()[0]);
    }

    @Test
    void divisorsAndPlanMatchBruteForce() {
        for (long k : new long[] {1, 2, 12, 97, 360, 4000, 65536}) {
            List<Long> want = new ArrayList<>();
            for (long d = 1; d <= k; d++) {
                if (k % d == 0) {
                    want.add(d);
                }
            }
            assertEquals(want, EnsemblePlanner.divisors(k), "divisors of " + k);
        }
        List<SupnormGrid.Cell> cells = grid(BoundShape.THEOREM, new double[] {0.01, 0.16, 0.028}, 0, 1);
        BoundFit f = BoundFit.fit(BoundShape.THEOREM, LAMBDA, cells);
        long k = 720720; // many divisors: the best one must sit next to the interior optimum M*
        EnsemblePlanner.Plan p = EnsemblePlanner.plan(f, k, cells);
        double best = Double.POSITIVE_INFINITY;
        for (EnsemblePlanner.Option o : p.options()) {
            assertEquals(k, o.m() * o.n());
            best = Math.min(best, o.predicted());
        }
        assertEquals(best, p.best().predicted());
        double mStar = Math.pow(0.16 * Math.sqrt(LAMBDA * k) / (2 * 0.028), 2.0 / 3);
        long below = p.options().stream().mapToLong(EnsemblePlanner.Option::m).filter(m -> m <= mStar).max()
                .orElseThrow();
        long above = p.options().stream().mapToLong(EnsemblePlanner.Option::m).filter(m -> m >= mStar).min()
                .orElseThrow();
        assertTrue(p.best().m() == below || p.best().m() == above, "best " + p.best().m() + " vs M* " + mStar);
    }

    @Test
    void heldOutCellsAreADisjointReproducibleShare() {
        List<SupnormGrid.Cell> cells = grid(BoundShape.SQRT, new double[] {0.001, 1.3, 0.0001}, 0.05, 3);
        EnsemblePlanner.Split a = EnsemblePlanner.randomSplit(cells, 0.25, 5);
        EnsemblePlanner.Split b = EnsemblePlanner.randomSplit(cells, 0.25, 5);
        EnsemblePlanner.Split c = EnsemblePlanner.randomSplit(cells, 0.25, 6);
        assertEquals(50, a.heldOut().size());
        assertEquals(150, a.fit().size());
        Set<SupnormGrid.Cell> all = new HashSet<>(a.fit());
        all.addAll(a.heldOut());
        assertEquals(200, all.size(), "disjoint and complete");
        assertEquals(a, b);
        assertFalse(a.heldOut().equals(c.heldOut()), "another seed holds out other cells");
    }

    @Test
    void commandWritesThePlanAndRefusesBadInputWithOneLine() throws Exception {
        Path src = tmp.resolve("grid");
        Files.createDirectories(src);
        StringBuilder csv = new StringBuilder("N,M,sup_norm_mean,sup_norm_std\n");
        for (SupnormGrid.Cell c : grid(BoundShape.SQRT, new double[] {0.001, 1.3, 0.0001}, 0.05, 3)) {
            csv.append(c.n()).append(',').append(c.m()).append(',').append(c.supNorm()).append(",0\n");
        }
        Files.writeString(src.resolve("supnorm.csv"), csv);
        Files.writeString(src.resolve("results.json"), "{\"lambda\": 0.01}");
        Path out = tmp.resolve("plan");
        assertEquals(0, Main.run("plan-ensemble", "--budget", "1000", "--supnorm", src.resolve("supnorm.csv")
                .toString(), "--json", "--out", out.toString()));
        for (String f : new String[] {"plan.csv", "cells.csv", "fit.png", "budget.png", "results.json", "README.md"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        List<String> plan = Files.readAllLines(out.resolve("plan.csv"));
        assertEquals("M,N,predicted_sup_norm,in_measured_grid", plan.get(0));
        assertEquals(1 + 16, plan.size(), "1000 has 16 divisors");
        assertTrue(Files.readString(out.resolve("README.md")).contains("plan-ensemble --budget 1000"));

        Path bad = tmp.resolve("bad");
        String good = src.resolve("supnorm.csv").toString();
        assertEquals(2, Main.run("plan-ensemble", "--budget", "0", "--supnorm", good, "--out", bad.toString()));
        assertEquals(2, Main.run("plan-ensemble", "--budget", "100", "--supnorm", tmp.resolve("none.csv").toString(),
                "--out", bad.toString()));
        assertEquals(2, Main.run("plan-ensemble", "--budget", "100", "--supnorm", src.toString(), "--out",
                bad.toString()), "a folder is not a file");
        assertEquals(2, Main.run("plan-ensemble", "--budget", "100", "--supnorm", good, "--shape", "cubic",
                "--out", bad.toString()));
        assertEquals(2, Main.run("plan-ensemble", "--budget", "100", "--supnorm", good, "--holdout", "0.95",
                "--out", bad.toString()));
        assertEquals(2, Main.run("plan-ensemble", "--budget", "100", "--supnorm", good, "--lambda", "0",
                "--out", bad.toString()));
        Path alone = tmp.resolve("alone.csv");
        Files.writeString(alone, csv);
        assertEquals(2, Main.run("plan-ensemble", "--budget", "100", "--supnorm", alone.toString(), "--out",
                bad.toString()), "no results.json beside it and no --lambda");
        assertEquals(0, Main.run("plan-ensemble", "--budget", "100", "--supnorm", alone.toString(), "--lambda",
                "0.01", "--json", "--out", tmp.resolve("ok").toString()));
        Files.writeString(alone, "M,N,x\n1,2,3\n");
        assertEquals(2, Main.run("plan-ensemble", "--budget", "100", "--supnorm", alone.toString(), "--lambda",
                "0.01", "--out", bad.toString()), "wrong header");
        Files.writeString(alone, "N,M,sup_norm_mean\n50,1,0.2\n50,2,abc\n");
        assertEquals(2, Main.run("plan-ensemble", "--budget", "100", "--supnorm", alone.toString(), "--lambda",
                "0.01", "--out", bad.toString()), "unparsable cell");
        assertFalse(Files.exists(bad), "no run folder for rejected input");
    }
}
