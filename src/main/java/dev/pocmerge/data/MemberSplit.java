package dev.pocmerge.data;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Seeds;
import dev.pocmerge.core.Shuffle;
import java.util.Arrays;
import java.util.Random;

/**
 * Member m's held-out validation rows ({@code --val-set-size}) and its training rows. finetune.py holds out one
 * split (seed 42) for its single model; each member of our ensemble holds out its own, drawn from a stream that
 * depends only on (seed, member), so member m's split is the same whether it trains alone, beside 7 others or
 * on another machine. Both index arrays are ascending: the split is a set, data order is the trainer's draw.
 */
public record MemberSplit(int[] train, int[] validation) {
    /** Keeps this stream apart from the members' init, noise and minibatch streams. */
    static final long SPLIT_SALT = 0x5B11DA7AL;

    public MemberSplit {
        train = train.clone();
        validation = validation.clone();
    }

    public static MemberSplit split(int n, int valSize, long seed, int member) {
        if (n < 0 || member < 0) {
            throw new IllegalArgumentException("n " + n + " and member " + member + " must be >= 0");
        }
        if (valSize < 0) {
            throw new PocmergeException("--val-set-size " + valSize + " must be >= 0 (0: no validation)");
        }
        if (n == 0) {
            throw new PocmergeException("the training set is empty: the data file has no rows to train on");
        }
        if (valSize >= n) {
            throw new PocmergeException("--val-set-size " + valSize + " leaves no training rows: the data has " + n
                    + " rows; use a value below " + n + " (0: no validation)");
        }
        int[] idx = new int[n];
        // a uniform valSize-subset of 0..n-1 in idx[0..valSize), the rest after it
        Shuffle.sample(idx, valSize, new Random(Seeds.derive(Seeds.derive(seed, SPLIT_SALT), member)));
        int[] val = Arrays.copyOfRange(idx, 0, valSize);
        int[] tr = Arrays.copyOfRange(idx, valSize, n);
        Arrays.sort(val);
        Arrays.sort(tr);
        return new MemberSplit(tr, val);
    }

    @Override
    public int[] train() {
        return train.clone();
    }

    @Override
    public int[] validation() {
        return validation.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemberSplit s && Arrays.equals(train, s.train) && Arrays.equals(validation, s.validation);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(train) + Arrays.hashCode(validation);
    }

    @Override
    public String toString() {
        return "MemberSplit[train " + train.length + " rows, validation " + validation.length + " rows]";
    }
}
