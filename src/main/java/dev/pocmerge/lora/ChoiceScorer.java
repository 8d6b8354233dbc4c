package dev.pocmerge.lora;

import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.llama.LinearHook;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Multiple choice by log-likelihood (lm-evaluation-harness {@code acc}): each choice is scored as the summed
 * log-probability of its tokens after the context, with context+choice encoded together and split at the
 * context's length ({@code _encode_pair}); the prediction is the argmax. A hook with several member slots
 * (an ensemble's eval hook) scores all members in the same forward: rows are repeated once per slot.
 */
public final class ChoiceScorer {
    private final LlamaModel model;
    private final Function<String, long[]> encoder;
    private final int rowsPerForward;

    public ChoiceScorer(LlamaModel model, Function<String, long[]> encoder, int rowsPerForward) {
        this.model = model;
        this.encoder = encoder;
        this.rowsPerForward = rowsPerForward;
    }

    /** One item: its context and candidate continuations. */
    public record Item(String context, List<String> choices) {}

    /** predictions[slot][item] = index of the best choice, under {@code hook} with {@code slots} member slots. */
    public int[][] predict(List<Item> items, LinearHook hook, int slots) {
        List<long[]> ids = new ArrayList<>();
        List<long[]> labels = new ArrayList<>();
        List<int[]> owner = new ArrayList<>(); // (item, choice) of each row
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            int ctx = encoder.apply(it.context()).length;
            for (int c = 0; c < it.choices().size(); c++) {
                long[] all = encoder.apply(it.context() + it.choices().get(c));
                long[] lab = new long[all.length];
                Arrays.fill(lab, MemberBatch.IGNORE);
                System.arraycopy(all, ctx, lab, ctx, all.length - ctx);
                ids.add(all);
                labels.add(lab);
                owner.add(new int[] {i, c});
            }
        }
        double[][] score = new double[slots][ids.size()];
        for (int from = 0; from < ids.size(); from += rowsPerForward) {
            int to = Math.min(from + rowsPerForward, ids.size());
            List<long[]> rows = new ArrayList<>();
            List<long[]> rowLabels = new ArrayList<>();
            for (int s = 0; s < slots; s++) {
                rows.addAll(ids.subList(from, to));
                rowLabels.addAll(labels.subList(from, to));
            }
            TokenBatch batch = TokenBatch.leftPadded(rows, 0);
            long[][] lab = new long[rows.size()][batch.length()];
            for (int r = 0; r < rows.size(); r++) {
                long[] l = rowLabels.get(r);
                Arrays.fill(lab[r], MemberBatch.IGNORE);
                System.arraycopy(l, 0, lab[r], batch.length() - l.length, l.length);
            }
            try (NDManager sm = model.weights().manager().newSubManager()) {
                double[] nll = Tensors.toDoubles(CausalLmLoss.perRow(model.forward(sm, batch, null, hook, false), lab));
                int n = to - from;
                for (int s = 0; s < slots; s++) {
                    for (int r = 0; r < n; r++) {
                        score[s][from + r] = -nll[s * n + r];
                    }
                }
            }
        }
        int[][] pred = new int[slots][items.size()];
        for (int s = 0; s < slots; s++) {
            double[] best = new double[items.size()];
            Arrays.fill(best, Double.NEGATIVE_INFINITY);
            for (int r = 0; r < ids.size(); r++) {
                int[] o = owner.get(r);
                if (score[s][r] > best[o[0]]) {
                    best[o[0]] = score[s][r];
                    pred[s][o[0]] = o[1];
                }
            }
        }
        return pred;
    }
}
