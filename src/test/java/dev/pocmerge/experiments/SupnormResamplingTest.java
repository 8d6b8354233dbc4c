package dev.pocmerge.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Algorithm 3's resampling against plain computations on a hand-made output matrix. */
class SupnormResamplingTest {
    // 4 nets × 3 test points, and a reference
    static final double[][] OUT = {
        {1.0, -2.0, 0.5},
        {3.0, 0.0, 0.5},
        {-1.0, 1.0, 2.5},
        {0.0, 0.0, -1.5},
    };
    static final double[] REF = {0.5, 0.0, 0.0};

    static double plainSup(double[] f) {
        double s = 0;
        for (int i = 0; i < f.length; i++) {
            s = Math.max(s, Math.abs(f[i] - REF[i]));
        }
        return s;
    }

    @Test
    void fullEnsembleIsTheSupNormOfTheMeanWithNoSpread() {
        // mean of the 4 rows = (0.75, -0.25, 0.5); |· − ref| = (0.25, 0.25, 0.5)
        SupnormResampling.Stats st = SupnormResampling.byM(OUT, REF, 30, new Random(1));
        assertEquals(0.5, st.mean()[3], 0.0);
        assertEquals(0.0, st.std()[3], 0.0);
    }

    @Test
    void singleNetsAverageTheirOwnSupNorms() {
        double[] single = new double[OUT.length];
        double avg = 0;
        for (int j = 0; j < OUT.length; j++) {
            single[j] = plainSup(OUT[j]); // 2.0, 2.5, 2.5, 1.5
            avg += single[j] / OUT.length;
        }
        assertEquals(2.125, avg, 1e-12);
        int r = 20000;
        SupnormResampling.Stats st = SupnormResampling.byM(OUT, REF, r, new Random(7));
        // the mean of r uniform picks: sd of one pick ≈ 0.41, so 5 sd of the mean is ≈ 0.015
        assertEquals(avg, st.mean()[0], 0.015);
        double var = 0;
        for (double v : single) {
            var += (v - avg) * (v - avg) / OUT.length;
        }
        assertEquals(Math.sqrt(var), st.std()[0], 0.02);
    }

    @Test
    void pairsAreDistinctNetsAndEveryPairAppears() {
        int[] idx = new int[OUT.length];
        Random rng = new Random(3);
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < 2000; k++) {
            SupnormResampling.sampleWithoutReplacement(idx, 2, rng);
            assertTrue(idx[0] < idx[1], "distinct and sorted");
            seen.add(idx[0] + "," + idx[1]);
        }
        assertEquals(6, seen.size());
        // one specific pair by hand: nets 0 and 3 → mean (0.5, -1, -0.5) → sup |· − ref| = 1
        assertEquals(1.0, SupnormResampling.supNorm(OUT, new int[] {0, 3}, 2, REF), 1e-12);
    }

    @Test
    void trendOfAnExactInverseSquareRootGrid() {
        int[] ns = {50, 100, 200, 400};
        double[][] grid = new double[ns.length][10];
        for (int i = 0; i < ns.length; i++) {
            for (int m = 1; m <= 10; m++) {
                grid[i][m - 1] = 3.0 / Math.sqrt(m * (double) ns[i]);
            }
        }
        SupnormTrend t = SupnormTrend.of(ns, grid);
        assertEquals(-0.5, t.slopeMN(), 1e-9);
        assertEquals(-0.5, t.slopeM(), 1e-9);
        assertEquals(-0.5, t.slopeN(), 1e-9);
        assertEquals(1.0, t.rowsMonotone());
        assertEquals(1.0, t.colsMonotone());
        assertEquals(Math.sqrt(10 * 400.0 / 50), t.cornerRatio(), 1e-9);
    }
}
