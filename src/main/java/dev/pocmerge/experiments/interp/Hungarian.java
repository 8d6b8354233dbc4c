package dev.pocmerge.experiments.interp;

import java.util.Arrays;

/**
 * Minimum-cost perfect matching of an n×n cost matrix (the assignment problem) by the Hungarian method in its
 * O(n³) shortest-augmenting-path form: rows are added one at a time, and each is matched by a Dijkstra-like search
 * over columns with reduced costs {@code c[i][j] − u[i] − v[j]} kept non-negative by the dual potentials u, v.
 * commons-math3 has no assignment solver, so this is ours (written from the textbook method, not copied).
 */
public final class Hungarian {
    private Hungarian() {}

    /** {@code assignment[i]} = the column matched to row i, minimising Σ_i cost[i][assignment[i]]. */
    public static int[] solve(double[][] cost) {
        int n = cost.length;
        for (double[] row : cost) {
            if (row.length != n) {
                throw new IllegalArgumentException("cost matrix must be square, got a row of " + row.length
                        + " in " + n + " rows");
            }
            for (double c : row) {
                if (!Double.isFinite(c)) {
                    throw new IllegalArgumentException("cost matrix entries must be finite");
                }
            }
        }
        // 1-based arrays; column 0 is a virtual column holding the row being inserted
        double[] u = new double[n + 1];
        double[] v = new double[n + 1];
        int[] rowOfCol = new int[n + 1]; // rowOfCol[j] = row matched to column j (0: none)
        int[] prevCol = new int[n + 1];
        double[] minTo = new double[n + 1];
        boolean[] used = new boolean[n + 1];
        for (int i = 1; i <= n; i++) {
            rowOfCol[0] = i;
            int j0 = 0;
            Arrays.fill(minTo, Double.POSITIVE_INFINITY);
            Arrays.fill(used, false);
            do { // grow the alternating tree until it reaches a free column
                used[j0] = true;
                int i0 = rowOfCol[j0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = -1;
                for (int j = 1; j <= n; j++) {
                    if (!used[j]) {
                        double reduced = cost[i0 - 1][j - 1] - u[i0] - v[j];
                        if (reduced < minTo[j]) {
                            minTo[j] = reduced;
                            prevCol[j] = j0;
                        }
                        if (minTo[j] < delta) {
                            delta = minTo[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= n; j++) { // shift potentials: tree edges stay tight, others stay ≥ 0
                    if (used[j]) {
                        u[rowOfCol[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minTo[j] -= delta;
                    }
                }
                j0 = j1;
            } while (rowOfCol[j0] != 0);
            do { // flip the augmenting path back to the virtual column
                int j1 = prevCol[j0];
                rowOfCol[j0] = rowOfCol[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] assignment = new int[n];
        for (int j = 1; j <= n; j++) {
            assignment[rowOfCol[j] - 1] = j - 1;
        }
        return assignment;
    }

    /** Σ_i cost[i][assignment[i]]. */
    public static double total(double[][] cost, int[] assignment) {
        double s = 0;
        for (int i = 0; i < assignment.length; i++) {
            s += cost[i][assignment[i]];
        }
        return s;
    }
}
