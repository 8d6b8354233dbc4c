package dev.pocmerge.core;

import java.util.Random;

/** Fisher–Yates, once: full shuffles and uniform m-subsets, each drawing from the caller's seeded stream. */
public final class Shuffle {
    private Shuffle() {}

    /** Shuffles {@code a} in place (backward Fisher–Yates, one {@code nextInt} per position). */
    public static void shuffle(int[] a, Random rng) {
        for (int i = a.length - 1; i > 0; i--) {
            swap(a, i, rng.nextInt(i + 1));
        }
    }

    /** 0..n−1 in order. */
    public static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /**
     * Resets {@code idx} to 0..idx.length−1 and puts a uniform random m-subset of it into idx[0..m) (forward
     * partial Fisher–Yates).
     */
    public static void sample(int[] idx, int m, Random rng) {
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < m; i++) {
            swap(idx, i, i + rng.nextInt(idx.length - i));
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
