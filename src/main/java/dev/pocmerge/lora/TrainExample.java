package dev.pocmerge.lora;

import java.util.Arrays;

/**
 * One tokenized training row as Hugging Face's Trainer receives it from LLM-Adapters: {@code ids} (BOS first,
 * EOS last when it fitted) and {@code labels} of the same length, {@link #IGNORE} where the loss skips a
 * position. The loss shifts labels by one inside the model, so {@code labels[0]} is never a target.
 */
public record TrainExample(long[] ids, long[] labels) {
    /** PyTorch's {@code CrossEntropyLoss} ignore_index, as LLM-Adapters masks the user prompt. */
    public static final long IGNORE = -100;

    public TrainExample {
        if (ids.length != labels.length) {
            throw new IllegalArgumentException("ids (" + ids.length + ") and labels (" + labels.length
                    + ") differ in length");
        }
        ids = ids.clone();
        labels = labels.clone();
    }

    public int length() {
        return ids.length;
    }

    @Override
    public long[] ids() {
        return ids.clone();
    }

    @Override
    public long[] labels() {
        return labels.clone();
    }

    /** Positions 1.. whose label is not {@link #IGNORE}: the tokens this row trains on. */
    public int targetCount() {
        int n = 0;
        for (int i = 1; i < labels.length; i++) {
            if (labels[i] != IGNORE) {
                n++;
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainExample t && Arrays.equals(ids, t.ids) && Arrays.equals(labels, t.labels);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "TrainExample[ids=" + Arrays.toString(ids) + ", labels=" + Arrays.toString(labels) + "]";
    }
}
