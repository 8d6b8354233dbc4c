package dev.pocmerge.llama;

import dev.pocmerge.core.PocmergeException;
import java.util.List;

/**
 * Token ids (rows, T), left-padded: row r starts with {@code pads[r]} padding ids that attention never sees.
 * Rows are whatever the caller stacks (b prompts, or M·b for an ensemble).
 */
public record TokenBatch(long[][] tokens, int[] pads) {
    public TokenBatch {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one row"); // callers refuse empty sets first
        }
        if (tokens.length != pads.length) {
            throw new IllegalArgumentException(tokens.length + " rows but " + pads.length + " pad counts");
        }
        for (long[] row : tokens) {
            if (row.length == 0) {
                throw new PocmergeException("a prompt encodes to no tokens: give a non-empty prompt");
            }
            if (row.length != tokens[0].length) {
                throw new IllegalArgumentException("rows must be of equal length (left-pad them)");
            }
        }
    }

    /** Rows without padding. */
    public static TokenBatch of(long[]... rows) {
        return new TokenBatch(rows, new int[rows.length]);
    }

    /** Left-pads sequences to the longest with {@code padId}. */
    public static TokenBatch leftPadded(List<long[]> seqs, long padId) {
        int t = seqs.stream().mapToInt(s -> s.length).max().orElse(0);
        long[][] tokens = new long[seqs.size()][t];
        int[] pads = new int[seqs.size()];
        for (int r = 0; r < seqs.size(); r++) {
            long[] s = seqs.get(r);
            if (s.length == 0) {
                throw new PocmergeException("prompt " + (r + 1) + " of " + seqs.size()
                        + " encodes to no tokens: give a non-empty prompt");
            }
            pads[r] = t - s.length;
            java.util.Arrays.fill(tokens[r], 0, pads[r], padId);
            System.arraycopy(s, 0, tokens[r], pads[r], s.length);
        }
        return new TokenBatch(tokens, pads);
    }

    public int rows() {
        return tokens.length;
    }

    public int length() {
        return tokens[0].length;
    }

    /** Row-major ids, for {@code NDManager.create(long[], Shape)}. */
    public long[] flat() {
        long[] f = new long[rows() * length()];
        for (int r = 0; r < rows(); r++) {
            System.arraycopy(tokens[r], 0, f, r * length(), length());
        }
        return f;
    }
}
