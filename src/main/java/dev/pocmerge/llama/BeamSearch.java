package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Deterministic beam search as HF transformers 4.36 runs it ({@code generate(num_beams=K, do_sample=False)},
 * {@code length_penalty} 1, {@code early_stopping=False}; the version DoRA's commonsense scripts pin):
 * <ul>
 * <li>all K beams of a prompt start from it with scores (0, −1e9, ...), so the first step expands beam 0 only;</li>
 * <li>each step takes the top max(2, 1 + #eos)·K of {@code beam score + log_softmax(logits)} over K·vocab; in rank
 * order an EOS candidate among the first K closes a hypothesis scored {@code sum / generated_len^lp} (its EOS
 * counted), any other candidate becomes a running beam until K are running;</li>
 * <li>a prompt is done when K hypotheses are closed and the worst of them is at least
 * {@code best candidate / generated_len^lp}; at {@code max_new_tokens} the running beams are closed too, and the
 * best hypothesis wins (ties go to the one closed last).</li>
 * </ul>
 * Prompts are left-padded into one batch with the KV cache: the prompt is computed once per prompt and its cache
 * rows are copied to the K beams, and each step reorders the cache rows to the surviving beams' parents (HF
 * {@code _reorder_cache}). Rows are prompt-major (prompt i's beams are rows i·K .. i·K+K−1), so a hook with
 * member-major blocks sees whole blocks when the prompts are member-major.
 */
public final class BeamSearch {
    /** The chosen continuation of one prompt: new tokens (EOS last when it ended there) and its score. */
    public record Output(long[] tokens, boolean eos, double score) {}

    private final LlamaModel model;
    private final Set<Long> eos = new HashSet<>();
    private final long padId;
    private final LinearHook hook;
    private final double lengthPenalty;

    public BeamSearch(LlamaModel model, Collection<Integer> eosIds, LinearHook hook) {
        this(model, eosIds, hook, 1.0);
    }

    public BeamSearch(LlamaModel model, Collection<Integer> eosIds, LinearHook hook, double lengthPenalty) {
        this.model = model;
        this.hook = hook;
        this.lengthPenalty = lengthPenalty;
        eosIds.forEach(id -> eos.add(id.longValue()));
        this.padId = eosIds.isEmpty() ? 0 : eosIds.iterator().next();
    }

    public List<Output> generate(List<long[]> prompts, int beams, int maxNewTokens) {
        if (beams < 1 || maxNewTokens < 1) {
            throw new IllegalArgumentException("beams and max new tokens must be >= 1");
        }
        int b = prompts.size();
        int k = beams;
        int vocab = model.config().vocabSize();
        int top = Math.max(2, 1 + eos.size()) * k;
        TokenBatch batch = TokenBatch.leftPadded(prompts, padId);
        LlamaConfig c = model.config();
        c.checkLength(batch.length(), "a prompt of " + batch.length() + " tokens", "shorten the prompt");
        c.checkLength((long) batch.length() + maxNewTokens, "a prompt of " + batch.length() + " tokens + "
                + maxNewTokens + " new tokens", "shorten the prompt or lower --max-new-tokens");
        int capacity = batch.length() + maxNewTokens;
        Hypotheses[] hyps = new Hypotheses[b];
        for (int i = 0; i < b; i++) {
            hyps[i] = new Hypotheses(k, lengthPenalty);
        }
        boolean[] done = new boolean[b];
        float[] beamScores = new float[b * k];
        long[][] seqs = new long[b * k][0];
        int[] expand = new int[b * k];
        for (int r = 0; r < b * k; r++) {
            beamScores[r] = r % k == 0 ? 0f : -1e9f;
            expand[r] = r / k;
        }
        try (NDManager gen = model.weights().manager().newSubManager()) {
            KvCache cache;
            NDArray logp;
            try (KvCache prompt = model.newCache(gen, batch, capacity); NDManager sm = gen.newSubManager()) {
                NDArray last = model.forward(sm, batch, prompt, hook, true).reshape(b, vocab);
                logp = last.logSoftmax(-1).get(new NDIndex("{}", Tensors.ofLongs(sm, toLongs(expand),
                        new Shape(b * k))));
                logp.attach(gen);
                cache = prompt.select(gen, expand, capacity); // the prompt is computed once, copied to its beams
            }
            try (cache) {
                for (int step = 0; ; step++) {
                    float[] values;
                    long[] ids;
                    try (NDManager sm = gen.newSubManager()) {
                        logp.attach(sm);
                        NDArray scores = logp.add(Tensors.of(sm, beamScores, new Shape(b * k, 1), logp.getDataType()))
                                .reshape(b, (long) k * vocab);
                        NDList best = scores.topK(top, -1, true, true);
                        values = best.get(0).toFloatArray();
                        ids = best.get(1).toLongArray();
                    }
                    float[] nextScores = new float[b * k];
                    long[] nextTokens = new long[b * k];
                    int[] parents = new int[b * k];
                    for (int i = 0; i < b; i++) {
                        if (done[i]) { // finished prompts keep feeding padding; their rows are ignored
                            Arrays.fill(nextTokens, i * k, i * k + k, padId);
                            Arrays.fill(parents, i * k, i * k + k, i * k);
                            continue;
                        }
                        int running = 0;
                        for (int rank = 0; rank < top && running < k; rank++) {
                            long flat = ids[i * top + rank];
                            int parent = i * k + (int) (flat / vocab);
                            long token = flat % vocab;
                            float score = values[i * top + rank];
                            if (eos.contains(token)) {
                                if (rank < k) { // an EOS outside the top K never closes a hypothesis
                                    hyps[i].add(append(seqs[parent], token), true, score, step + 1);
                                }
                            } else {
                                int row = i * k + running++;
                                nextScores[row] = score;
                                nextTokens[row] = token;
                                parents[row] = parent;
                            }
                        }
                        if (running < k) {
                            throw new IllegalStateException("fewer than " + k + " non-EOS candidates");
                        }
                        done[i] = hyps[i].isDone(values[i * top], step + 1);
                    }
                    long[][] nextSeqs = new long[b * k][];
                    for (int r = 0; r < b * k; r++) {
                        nextSeqs[r] = append(seqs[parents[r]], nextTokens[r]);
                    }
                    seqs = nextSeqs;
                    beamScores = nextScores;
                    if (allDone(done) || step + 1 >= maxNewTokens) {
                        break;
                    }
                    cache.reorder(parents);
                    long[][] column = new long[b * k][1];
                    for (int r = 0; r < b * k; r++) {
                        column[r][0] = nextTokens[r];
                    }
                    try (NDManager sm = gen.newSubManager()) {
                        NDArray next = model.forward(sm, new TokenBatch(column, new int[b * k]), cache, hook, true)
                                .reshape(b * k, vocab).logSoftmax(-1);
                        next.attach(gen);
                        logp = next;
                    }
                }
            }
        }
        List<Output> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            if (!done[i]) {
                for (int j = 0; j < k; j++) {
                    int r = i * k + j;
                    hyps[i].add(seqs[r], false, beamScores[r], seqs[r].length);
                }
            }
            out.add(hyps[i].best());
        }
        return out;
    }

    /** HF {@code BeamHypotheses}: the K best closed hypotheses of one prompt. */
    static final class Hypotheses {
        private final int k;
        private final double lengthPenalty;
        private final List<Output> beams = new ArrayList<>();
        private double worst = 1e9;

        Hypotheses(int k, double lengthPenalty) {
            this.k = k;
            this.lengthPenalty = lengthPenalty;
        }

        void add(long[] tokens, boolean eos, float sumLogProbs, int generatedLen) {
            double score = sumLogProbs / Math.pow(generatedLen, lengthPenalty);
            if (beams.size() < k || score > worst) {
                beams.add(new Output(tokens, eos, score));
                if (beams.size() > k) {
                    int lowest = 0; // the lowest score, the earliest among equals (Python's sorted on (score, index))
                    for (int j = 1; j < beams.size(); j++) {
                        if (beams.get(j).score() < beams.get(lowest).score()) {
                            lowest = j;
                        }
                    }
                    beams.remove(lowest);
                    worst = beams.stream().mapToDouble(Output::score).min().orElse(1e9);
                } else {
                    worst = Math.min(score, worst);
                }
            }
        }

        boolean isDone(float bestSumLogProbs, int generatedLen) {
            if (beams.size() < k) {
                return false;
            }
            return worst >= bestSumLogProbs / Math.pow(generatedLen, lengthPenalty);
        }

        /** The highest score; among equals the one added last (Python's stable sort, then pop()). */
        Output best() {
            Output best = beams.get(0);
            for (Output o : beams) {
                if (o.score() >= best.score()) {
                    best = o;
                }
            }
            return best;
        }
    }

    private static long[] append(long[] a, long token) {
        long[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = token;
        return out;
    }

    private static long[] toLongs(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    private static boolean allDone(boolean[] done) {
        for (boolean d : done) {
            if (!d) {
                return false;
            }
        }
        return true;
    }
}
