package dev.pocmerge.experiments.fp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FP solver conserves mass, follows the exact OU law and reaches the Gibbs density; W1 is exact. */
class FokkerPlanckTest {
    @TempDir
    Path tmp;

    @Test
    void massIsConservedToRoundingOnBothPotentials() {
        for (Potential p : Potential.values()) {
            FokkerPlanck1d fp = new FokkerPlanck1d(p, 0.25, -3, 3, 300);
            fp.setGaussian(1.2, 0.3);
            double m0 = fp.mass();
            for (int k = 0; k < 2000; k++) {
                fp.step(0.01);
            }
            assertEquals(m0, fp.mass(), 1e-12, p.id);
            assertTrue(Arrays.stream(fp.density()).allMatch(v -> v > -1e-15), p.id + ": density stays ≥ 0");
        }
    }

    /**
     * The scheme's stationary state is the Gibbs density at the cell centres (to rounding, the Scharfetter–Gummel
     * property); as cell averages it is then within O(h²) of the true Gibbs law: small, and about 4× smaller on a
     * grid twice as fine.
     */
    @Test
    void reachesTheGibbsDensityWithinDiscretisationError() {
        double lambda = 0.3;
        for (Potential p : Potential.values()) {
            double prev = Double.NaN;
            for (int cells : new int[] {100, 200, 400}) {
                FokkerPlanck1d fp = new FokkerPlanck1d(p, lambda, -3.5, 3.5, cells);
                fp.setGaussian(1.5, 0.25);
                double[] avg = gibbsCellAverages(p, lambda, -3.5, fp.h(), cells);
                double l1Start = fp.l1(avg);
                for (int k = 0; k < 4000; k++) { // t = 200: the double well's barrier mode decays like e^{−0.2t}
                    fp.step(0.05);
                }
                assertTrue(l1Start > 0.5, "the start is far from Gibbs");
                assertTrue(fp.l1(fp.gibbs()) < 1e-9, p.id + ": stationary state = Gibbs at the centres");
                double err = fp.l1(avg);
                assertTrue(err < 2e-3, p.id + " " + cells + " cells: L1 to Gibbs " + err);
                if (!Double.isNaN(prev)) {
                    assertTrue(err < prev / 3, p.id + ": error " + err + " vs " + prev + " on half the grid");
                }
                prev = err;
            }
        }
    }

    /** Exact-enough cell averages of e^{−V/λ}/Z: Simpson with 16 panels per cell. */
    static double[] gibbsCellAverages(Potential p, double lambda, double a, double h, int cells) {
        double[] out = new double[cells];
        double z = 0;
        for (int i = 0; i < cells; i++) {
            double s = 0;
            int k = 16;
            for (int j = 0; j <= k; j++) {
                double w = j == 0 || j == k ? 1 : (j % 2 == 1 ? 4 : 2);
                s += w * Math.exp(-p.v(a + i * h + j * h / k) / lambda);
            }
            out[i] = s / (3 * k); // (h/(3k))·Σ / h
            z += out[i] * h;
        }
        for (int i = 0; i < cells; i++) {
            out[i] /= z;
        }
        return out;
    }

    /** OU from N(m, s²): N(m·e^{−t}, λ + (s² − λ)·e^{−2t}) at every t, a check on the transient. */
    @Test
    void followsTheExactOrnsteinUhlenbeckLaw() {
        double lambda = 0.5;
        FokkerPlanck1d fp = new FokkerPlanck1d(Potential.QUADRATIC, lambda, -4, 4, 800);
        fp.setGaussian(2, 0.25);
        for (int k = 0; k < 100; k++) {
            fp.step(0.01);
        }
        double t = 1;
        double mean = 2 * Math.exp(-t);
        double var = lambda + (0.0625 - lambda) * Math.exp(-2 * t);
        NormalDistribution exact = new NormalDistribution(null, mean, Math.sqrt(var));
        double[] q = new double[fp.cells()];
        for (int i = 0; i < q.length; i++) {
            q[i] = exact.density(fp.center(i));
        }
        assertTrue(fp.l1(q) < 1e-3, "L1 to the exact law at t=1: " + fp.l1(q));
    }

    @Test
    void w1IsExactAgainstHandAndNumericalIntegrals() {
        // one particle at 0.5 against the uniform density on [0, 1]: ∫_0^½ x dx + ∫_½^1 (1 − x) dx = 1/4
        double[] uniform = new double[10];
        Arrays.fill(uniform, 1.0);
        assertEquals(0.25, Wasserstein1d.w1(new double[] {0.5}, 0, 0.1, uniform), 1e-14);
        assertEquals(0.5, Wasserstein1d.w1(new double[] {1.0}, 0, 0.1, uniform), 1e-14, "all mass at the end");
        assertEquals(1.0, Wasserstein1d.w1(new double[] {1.5}, 0, 0.1, uniform), 1e-14, "outside the grid");
        SplittableRandom rng = new SplittableRandom(4);
        double[] dens = new double[7];
        for (int i = 0; i < dens.length; i++) {
            dens[i] = rng.nextDouble();
        }
        double[] xs = new double[9];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = -0.5 + 2.5 * rng.nextDouble();
        }
        Arrays.sort(xs);
        double h = 0.2;
        double total = Arrays.stream(dens).sum() * h;
        double[] edge = new double[dens.length + 1];
        for (int i = 0; i < dens.length; i++) {
            edge[i + 1] = edge[i] + dens[i] * h / total;
        }
        int steps = 2_000_000;
        double lo = -0.5;
        double hi = 2.0;
        double num = 0;
        for (int k = 0; k < steps; k++) { // midpoint rule on a very fine grid
            double x = lo + (k + 0.5) * (hi - lo) / steps;
            int below = 0;
            while (below < xs.length && xs[below] <= x) {
                below++;
            }
            num += Math.abs((double) below / xs.length - Wasserstein1d.cdf(x, 0, h, edge)) * (hi - lo) / steps;
        }
        assertEquals(num, Wasserstein1d.w1(xs, 0, h, dens), 1e-6);
    }

    @Test
    void w1OfIndependentDrawsMatchesThePredictedFloor() {
        FokkerPlanck1d grid = new FokkerPlanck1d(Potential.QUADRATIC, 1, -6, 6, 600);
        grid.setGaussian(0, 1);
        double[] dens = grid.density();
        SplittableRandom rng = new SplittableRandom(9);
        int n = 2000;
        double sum = 0;
        int reps = 60;
        for (int r = 0; r < reps; r++) {
            double[] xs = new double[n];
            for (int i = 0; i < n; i++) {
                xs[i] = rng.nextGaussian();
            }
            Arrays.sort(xs);
            sum += Wasserstein1d.w1(xs, grid.left(), grid.h(), dens);
        }
        double predicted = Wasserstein1d.expectedFloor(n, grid.left(), grid.h(), dens);
        assertEquals(predicted, sum / reps, 0.06 * predicted);
    }

    @Test
    void commandWritesTheReportAndFloorsFallWithN() throws Exception {
        Path out = tmp.resolve("fp");
        assertEquals(0, Main.run("particles-fp", "--n-list", "50,5000", "--repeats", "2", "--json", "--out",
                out.toString()));
        List<String> floors = Files.readAllLines(out.resolve("floors.csv"));
        assertEquals("potential,N,measured_floor,predicted_floor,ratio,floor_x_sqrtN", floors.get(0));
        assertEquals(1 + 2 * 2, floors.size());
        for (String l : floors.subList(1, floors.size())) {
            double ratio = Double.parseDouble(l.split(",")[4]);
            assertTrue(ratio > 0.6 && ratio < 1.6, l);
        }
        assertTrue(Double.parseDouble(floors.get(2).split(",")[2]) < Double.parseDouble(floors.get(1).split(",")[2])
                / 4, "N 100× larger: floor ~10× lower");
        for (String f : new String[] {"w1.csv", "densities.png", "w1-quadratic.png", "w1-double-well.png",
            "results.json", "README.md"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertEquals(2, Main.run("particles-fp", "--n-list", "0", "--out", tmp.resolve("bad").toString()));
        assertEquals(2, Main.run("particles-fp", "--repeats", "0", "--out", tmp.resolve("bad").toString()));
        assertTrue(!Files.exists(tmp.resolve("bad")));
    }
}
