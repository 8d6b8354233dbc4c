package dev.pocmerge.lora;

import dev.pocmerge.llama.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The member axis made explicit (DESIGN.md): M member slots × b rows each, member-major, so rows
 * [s·b, (s+1)·b) belong to slot s. Every row is left-padded to the longest row of the whole batch; {@code windows[s]}
 * is the longest row of slot s alone, the length member s's own batch would have had. Per-member random draws
 * over positions (dropout) are made over that window, so they do not depend on which members share the batch.
 */
public record MemberBatch(TokenBatch tokens, long[][] labels, int slots, int rowsPerSlot, int[] windows) {
    public static final long IGNORE = -100;

    /** {@code perSlot.get(s)} = the b examples of slot s (every slot the same b). Pads ids with {@code padId}. */
    public static MemberBatch of(List<List<TrainExample>> perSlot, long padId) {
        int slots = perSlot.size();
        int b = perSlot.get(0).size();
        List<long[]> ids = new ArrayList<>();
        int[] windows = new int[slots];
        for (int s = 0; s < slots; s++) {
            if (perSlot.get(s).size() != b) {
                throw new IllegalArgumentException("slot " + s + " has " + perSlot.get(s).size() + " rows, slot 0 " + b);
            }
            for (TrainExample e : perSlot.get(s)) {
                ids.add(e.ids());
                windows[s] = Math.max(windows[s], e.ids().length);
            }
        }
        TokenBatch tokens = TokenBatch.leftPadded(ids, padId);
        int t = tokens.length();
        long[][] labels = new long[slots * b][t];
        int r = 0;
        for (List<TrainExample> slot : perSlot) {
            for (TrainExample e : slot) {
                Arrays.fill(labels[r], IGNORE);
                System.arraycopy(e.labels(), 0, labels[r], t - e.labels().length, e.labels().length);
                r++;
            }
        }
        return new MemberBatch(tokens, labels, slots, b, windows);
    }

    public int length() {
        return tokens.length();
    }

    /** Positions that carry a label (after the causal shift: position i predicts label i+1), per slot. */
    public long[] labelCounts() {
        long[] c = new long[slots];
        for (int r = 0; r < labels.length; r++) {
            for (int i = 1; i < labels[r].length; i++) {
                if (labels[r][i] != IGNORE) {
                    c[r / rowsPerSlot]++;
                }
            }
        }
        return c;
    }

    /** Real (non-padding) tokens in the batch. */
    public long realTokens() {
        long n = 0;
        for (int p : tokens.pads()) {
            n += tokens.length() - p;
        }
        return n;
    }
}
