package dev.pocmerge.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.PythonText;
import dev.pocmerge.llama.KvCache;
import dev.pocmerge.llama.LinearHook;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.TokenBatch;
import dev.pocmerge.llama.TokenLogProbs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Multiple choice by log-likelihood, as lm-evaluation-harness scores it: each choice is a continuation of the
 * item's context, tokenised by {@code _encode_pair} (the context's trailing whitespace moves to the continuation;
 * context+continuation is encoded whole and split at the stripped context's token count), and its score is the
 * summed log-probability of its tokens ({@code acc} takes the argmax; {@code acc_norm} divides by the choice's
 * length first). The context is computed once per item: its KV cache is copied to one row per choice and only
 * the continuation tokens are run, instead of a full forward per (context, choice) pair ({@link #scorePairwise},
 * kept as the reference and the benchmark's baseline). A hook with several member slots (an ensemble's eval hook)
 * scores all members in the same forward: rows are repeated once per slot, slot-major.
 */
public final class ChoiceScorer {
    private final LlamaModel model;
    private final Function<String, long[]> encoder;
    private final int rowsPerForward;

    /** @param rowsPerForward choice rows per slot in one forward (a batch holds whole items, at least one) */
    public ChoiceScorer(LlamaModel model, Function<String, long[]> encoder, int rowsPerForward) {
        this.model = model;
        this.encoder = encoder;
        this.rowsPerForward = Math.max(1, rowsPerForward);
    }

    /** One item: its context and candidate continuations. */
    public record Item(String context, List<String> choices) {}

    /** An item's tokens: the context and, per choice, the continuation tokens to score. */
    public record Encoded(long[] context, long[][] continuations) {}

    /** [slot][item][choice] summed log-probabilities, and the tokens this pass and a per-pair pass run. */
    public record Scores(double[][][] loglik, long tokensForwarded, long tokensPairwise) {
        public long tokensSaved() {
            return tokensPairwise - tokensForwarded;
        }
    }

    /** lm-eval's {@code _encode_pair(context, continuation)} for each choice. */
    public static Encoded encode(Function<String, long[]> encoder, Item item) {
        String context = item.context();
        int kept = PythonText.rstrip(context).length();
        String moved = context.substring(kept);
        context = context.substring(0, kept);
        if (context.isEmpty()) {
            throw new PocmergeException("log-likelihood scoring needs a non-empty context");
        }
        long[] ctx = encoder.apply(context);
        long[][] cont = new long[item.choices().size()][];
        for (int c = 0; c < cont.length; c++) {
            long[] whole = encoder.apply(context + moved + item.choices().get(c));
            cont[c] = Arrays.copyOfRange(whole, Math.min(ctx.length, whole.length), whole.length);
            if (cont[c].length == 0) {
                throw new PocmergeException("choice '" + item.choices().get(c) + "' encodes to no tokens after its"
                        + " context");
            }
        }
        return new Encoded(ctx, cont);
    }

    /** predictions[slot][item] = index of the best choice (summed log-probability, the first among equals). */
    public int[][] predict(List<Item> items, LinearHook hook, int slots) {
        double[][][] ll = score(items, hook, slots, n -> { }).loglik();
        int[][] pred = new int[slots][items.size()];
        for (int s = 0; s < slots; s++) {
            for (int i = 0; i < items.size(); i++) {
                pred[s][i] = argmax(ll[s][i]);
            }
        }
        return pred;
    }

    public static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Scores with the context's KV cache reused by every choice; {@code progress} gets items done per batch. */
    public Scores score(List<Item> items, LinearHook hook, int slots, IntConsumer progress) {
        List<Encoded> enc = items.stream().map(it -> encode(encoder, it)).toList();
        double[][][] ll = new double[slots][items.size()][];
        long forwarded = 0;
        long pairwise = 0;
        for (List<Integer> batch : batches(enc)) {
            int nb = batch.size();
            List<long[]> contexts = new ArrayList<>();
            List<int[]> choiceRows = new ArrayList<>(); // (source context row, item, choice)
            for (int s = 0; s < slots; s++) {
                for (int j = 0; j < nb; j++) {
                    Encoded e = enc.get(batch.get(j));
                    contexts.add(e.context());
                    forwarded += e.context().length;
                    for (int c = 0; c < e.continuations().length; c++) {
                        choiceRows.add(new int[] {s * nb + j, batch.get(j), c});
                        forwarded += e.continuations()[c].length - 1;
                        pairwise += e.context().length + e.continuations()[c].length - 1;
                    }
                }
            }
            int longest = choiceRows.stream().mapToInt(r -> enc.get(r[1]).continuations()[r[2]].length).max().orElse(1);
            double[] sums = scoreBatch(contexts, choiceRows, enc, longest, hook);
            int perSlot = choiceRows.size() / slots;
            for (int r = 0; r < choiceRows.size(); r++) {
                int[] row = choiceRows.get(r);
                int s = r / perSlot;
                if (ll[s][row[1]] == null) {
                    ll[s][row[1]] = new double[enc.get(row[1]).continuations().length];
                }
                ll[s][row[1]][row[2]] = sums[r];
            }
            progress.accept(nb);
        }
        return new Scores(ll, forwarded, pairwise);
    }

    /** Summed log-probability of each choice row: one prefill of the contexts, one pass of the continuations. */
    private double[] scoreBatch(List<long[]> contexts, List<int[]> choiceRows, List<Encoded> enc, int longest,
            LinearHook hook) {
        TokenBatch prefill = TokenBatch.leftPadded(contexts, 0);
        int t = prefill.length();
        int tail = longest - 1; // a continuation's last token is predicted, never fed
        int rc = choiceRows.size();
        long[] firstIdx = new long[rc];
        List<Long> tailIdx = new ArrayList<>();
        List<Long> targets = new ArrayList<>();
        long[][] feed = new long[rc][Math.max(1, tail)];
        int[] sources = new int[rc];
        for (int r = 0; r < rc; r++) {
            int[] row = choiceRows.get(r);
            long[] cont = enc.get(row[1]).continuations()[row[2]];
            sources[r] = row[0];
            firstIdx[r] = (long) row[0] * t + t - 1; // the context's last position predicts the first token
            targets.add(cont[0]);
            for (int j = 1; j < cont.length; j++) {
                feed[r][j - 1] = cont[j - 1];
                tailIdx.add((long) r * tail + j - 1);
                targets.add(cont[j]);
            }
        }
        float[] logp;
        try (NDManager sm = model.weights().manager().newSubManager();
                KvCache cache = model.newCache(sm, prefill, t + tail)) {
            NDArray h = model.hidden(sm, prefill, cache, hook);
            NDArray rows = TokenLogProbs.rows(h, firstIdx);
            if (tail > 0) {
                try (KvCache perChoice = cache.select(sm, sources, t + tail)) {
                    NDArray h2 = model.hidden(sm, new TokenBatch(feed, new int[rc]), perChoice, hook);
                    rows = NDArrays.concat(new NDList(rows, TokenLogProbs.rows(h2, unbox(tailIdx))), 0);
                }
            }
            logp = TokenLogProbs.of(model, rows, order(targets, choiceRows, enc, rc)).toFloatArray();
        }
        // rows holds every choice's first token, then the later tokens row by row: sum them back per row
        double[] sums = new double[rc];
        int at = rc;
        for (int r = 0; r < rc; r++) {
            int[] row = choiceRows.get(r);
            int n = enc.get(row[1]).continuations()[row[2]].length;
            sums[r] = logp[r];
            for (int j = 1; j < n; j++) {
                sums[r] += logp[at++];
            }
        }
        return sums;
    }

    /** Targets in the gathered rows' order: first tokens of all rows, then each row's later tokens. */
    private static long[] order(List<Long> interleaved, List<int[]> choiceRows, List<Encoded> enc, int rc) {
        long[] out = new long[interleaved.size()];
        int first = 0;
        int later = rc;
        int at = 0;
        for (int r = 0; r < rc; r++) {
            int[] row = choiceRows.get(r);
            int n = enc.get(row[1]).continuations()[row[2]].length;
            out[first++] = interleaved.get(at++);
            for (int j = 1; j < n; j++) {
                out[later++] = interleaved.get(at++);
            }
        }
        return out;
    }

    /**
     * The same scores from one full forward of {@code (context + continuation)[:-1]} per pair, as lm-eval runs
     * them: the reference for the cached path and the benchmark's baseline.
     */
    public Scores scorePairwise(List<Item> items, LinearHook hook, int slots, IntConsumer progress) {
        List<Encoded> enc = items.stream().map(it -> encode(encoder, it)).toList();
        double[][][] ll = new double[slots][items.size()][];
        long tokens = 0;
        for (List<Integer> batch : batches(enc)) {
            List<long[]> inputs = new ArrayList<>();
            List<int[]> pairs = new ArrayList<>(); // (item, choice)
            for (int s = 0; s < slots; s++) {
                for (int i : batch) {
                    Encoded e = enc.get(i);
                    for (int c = 0; c < e.continuations().length; c++) {
                        long[] whole = concat(e.context(), e.continuations()[c]);
                        inputs.add(Arrays.copyOf(whole, whole.length - 1));
                        pairs.add(new int[] {i, c});
                        tokens += whole.length - 1;
                    }
                }
            }
            TokenBatch b = TokenBatch.leftPadded(inputs, 0);
            int t = b.length();
            List<Long> idx = new ArrayList<>();
            List<Long> targets = new ArrayList<>();
            for (int r = 0; r < inputs.size(); r++) {
                long[] cont = enc.get(pairs.get(r)[0]).continuations()[pairs.get(r)[1]];
                for (int j = 0; j < cont.length; j++) { // the last n positions predict the n continuation tokens
                    idx.add((long) r * t + t - cont.length + j);
                    targets.add(cont[j]);
                }
            }
            float[] logp;
            try (NDManager sm = model.weights().manager().newSubManager()) {
                NDArray h = model.hidden(sm, b, null, hook);
                logp = TokenLogProbs.of(model, TokenLogProbs.rows(h, unbox(idx)), unbox(targets)).toFloatArray();
            }
            int at = 0;
            int perSlot = inputs.size() / slots;
            for (int r = 0; r < inputs.size(); r++) {
                int[] p = pairs.get(r);
                int s = r / perSlot;
                int n = enc.get(p[0]).continuations()[p[1]].length;
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += logp[at++];
                }
                if (ll[s][p[0]] == null) {
                    ll[s][p[0]] = new double[enc.get(p[0]).continuations().length];
                }
                ll[s][p[0]][p[1]] = sum;
            }
            progress.accept(batch.size());
        }
        return new Scores(ll, tokens, tokens);
    }

    /** Item indices, longest context first, packed so a batch holds at most rowsPerForward choices per slot. */
    private List<List<Integer>> batches(List<Encoded> enc) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < enc.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> -enc.get(i).context().length).thenComparingInt(i -> i));
        List<List<Integer>> out = new ArrayList<>();
        List<Integer> cur = new ArrayList<>();
        int rows = 0;
        for (int i : order) {
            int c = enc.get(i).continuations().length;
            if (!cur.isEmpty() && rows + c > rowsPerForward) {
                out.add(cur);
                cur = new ArrayList<>();
                rows = 0;
            }
            cur.add(i);
            rows += c;
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long[] unbox(List<Long> v) {
        long[] out = new long[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }
}
