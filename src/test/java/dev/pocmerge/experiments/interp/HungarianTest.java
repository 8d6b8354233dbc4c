package dev.pocmerge.experiments.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The assignment solver against brute force over all permutations on small cases. */
class HungarianTest {
    static double bruteForce(double[][] c) {
        int[] p = new int[c.length];
        Arrays.setAll(p, i -> i);
        double best = Double.POSITIVE_INFINITY;
        do {
            best = Math.min(best, Hungarian.total(c, p));
        } while (next(p));
        return best;
    }

    static boolean next(int[] p) { // lexicographic next permutation
        int i = p.length - 2;
        while (i >= 0 && p[i] >= p[i + 1]) {
            i--;
        }
        if (i < 0) {
            return false;
        }
        int j = p.length - 1;
        while (p[j] <= p[i]) {
            j--;
        }
        int t = p[i];
        p[i] = p[j];
        p[j] = t;
        for (int a = i + 1, b = p.length - 1; a < b; a++, b--) {
            t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
        return true;
    }

    @Test
    void optimalAgainstBruteForceOnRandomSmallMatrices() {
        Random rng = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + trial % 7;
            double[][] c = new double[n][n];
            for (double[] row : c) {
                for (int j = 0; j < n; j++) {
                    // integers in [-3, 5] give many ties; Gaussians the generic case
                    row[j] = trial % 2 == 0 ? rng.nextInt(9) - 3 : rng.nextGaussian() * 10;
                }
            }
            int[] a = Hungarian.solve(c);
            boolean[] seen = new boolean[n];
            for (int j : a) {
                assertEquals(false, seen[j], "a permutation");
                seen[j] = true;
            }
            assertEquals(bruteForce(c), Hungarian.total(c, a), 1e-9, "trial " + trial);
        }
    }

    @Test
    void recoversAHiddenPermutationOfPoints() {
        Random rng = new Random(3);
        int n = 60;
        double[][] x = new double[n][3];
        for (double[] r : x) {
            for (int k = 0; k < 3; k++) {
                r[k] = rng.nextGaussian();
            }
        }
        int[] perm = new int[n];
        Arrays.setAll(perm, i -> (i * 7 + 3) % n);
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double d = 0;
                for (int k = 0; k < 3; k++) {
                    double e = x[i][k] - x[perm[j]][k] - 1e-3 * (j % 3);
                    d += e * e;
                }
                c[i][j] = d;
            }
        }
        int[] want = new int[n];
        for (int j = 0; j < n; j++) {
            want[perm[j]] = j;
        }
        assertArrayEquals(want, Hungarian.solve(c));
    }

    @Test
    void refusesNonSquareOrNonFinite() {
        assertThrows(IllegalArgumentException.class, () -> Hungarian.solve(new double[][] {{1, 2}}));
        assertThrows(IllegalArgumentException.class, () -> Hungarian.solve(new double[][] {{Double.NaN}}));
    }
}
