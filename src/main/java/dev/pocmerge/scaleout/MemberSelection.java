package dev.pocmerge.scaleout;

import dev.pocmerge.core.PocmergeException;
import java.util.Arrays;

/**
 * Which members of an M-member ensemble one process trains ({@code --members}). Members are named by their
 * global index 0..M−1, so pieces trained in different processes (or on different machines) keep their place in
 * the ensemble and can be merged afterwards. The syntax is a comma list of indices and inclusive ranges:
 * {@code 3}, {@code 0-3}, {@code 0,2,5}, {@code 0-1,6-7}. Shared by the mean-field and the LoRA trainers: keep
 * this API stable.
 */
public final class MemberSelection {
    private static final String FLAG = "--members";

    private MemberSelection() {}

    /**
     * The members {@code spec} names, sorted ascending, each once. Refuses, with a one-line message naming
     * {@code --members}: an empty list or item, anything that is not an index or a range {@code a-b} with a ≤ b,
     * an index outside 0..m−1, and a member named twice (also through overlapping ranges).
     */
    public static int[] parse(String spec, int m) {
        if (m <= 0) {
            throw new PocmergeException("--M: number of networks must be > 0, got " + m);
        }
        if (spec == null || spec.isBlank()) {
            throw new PocmergeException(FLAG + ": empty list; give indices in 0.." + (m - 1) + ", e.g. 0-3 or 0,2,5");
        }
        boolean[] seen = new boolean[m];
        int count = 0;
        for (String raw : spec.split(",", -1)) {
            String item = raw.trim();
            if (item.isEmpty()) {
                throw new PocmergeException(FLAG + ": '" + spec + "' has an empty item; use e.g. 0-3 or 0,2,5");
            }
            int dash = item.indexOf('-', 1); // from 1: a leading '-' is a (refused) negative number, not a range
            int lo = index(item, dash < 0 ? item : item.substring(0, dash), spec, m);
            int hi = dash < 0 ? lo : index(item, item.substring(dash + 1), spec, m);
            if (hi < lo) {
                throw new PocmergeException(FLAG + ": range '" + item + "' runs backwards; write it as " + hi + "-" + lo);
            }
            if (hi >= m) {
                throw new PocmergeException(FLAG + ": member " + hi + " is out of range 0.." + (m - 1) + " (--M " + m
                        + ")");
            }
            for (int k = lo; k <= hi; k++) {
                if (seen[k]) {
                    throw new PocmergeException(FLAG + ": member " + k + " is named twice in '" + spec + "'");
                }
                seen[k] = true;
                count++;
            }
        }
        int[] out = new int[count];
        int j = 0;
        for (int k = 0; k < m; k++) {
            if (seen[k]) {
                out[j++] = k;
            }
        }
        return out;
    }

    /** Every member, 0..m−1 (what an absent {@code --members} means). */
    public static int[] all(int m) {
        if (m <= 0) {
            throw new PocmergeException("--M: number of networks must be > 0, got " + m);
        }
        int[] out = new int[m];
        Arrays.setAll(out, i -> i);
        return out;
    }

    /**
     * The shortest list in {@link #parse}'s syntax for sorted unique {@code members} (runs of consecutive indices
     * become ranges), so {@code parse(format(s), m)} gives {@code s} back. Used in file metadata and configs.
     */
    public static String format(int[] members) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < members.length) {
            int j = i;
            while (j + 1 < members.length && members[j + 1] == members[j] + 1) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(members[i]);
            if (j > i) {
                sb.append('-').append(members[j]);
            }
            i = j + 1;
        }
        return sb.toString();
    }

    private static int index(String item, String digits, String spec, int m) {
        String d = digits.trim();
        if (d.isEmpty() || !d.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new PocmergeException(FLAG + ": '" + item + "' in '" + spec
                    + "' is not a member index or a range a-b (indices are 0-based integers)");
        }
        if (d.length() > 9) { // beyond any M that fits in memory; also keeps parseInt from overflowing
            throw new PocmergeException(FLAG + ": member " + d + " is out of range 0.." + (m - 1) + " (--M " + m + ")");
        }
        return Integer.parseInt(d);
    }
}
