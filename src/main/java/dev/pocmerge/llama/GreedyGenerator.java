package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Batched greedy decoding (HF {@code generate(do_sample=False)}): prompts are left-padded into one batch, each
 * step appends {@code argmax} of the last logits; a row stops after emitting any EOS id (kept in its output, as
 * HF does) or after {@code maxNewTokens}. Finished rows keep being fed (their results are ignored) so the batch
 * stays rectangular. With the KV cache each step runs only the new token; without it, the whole prefix is
 * recomputed (the benchmark's baseline).
 */
public final class GreedyGenerator {
    private final LlamaModel model;
    private final Set<Long> eos;
    private final long padId;
    private final LinearHook hook;

    public GreedyGenerator(LlamaModel model, Collection<Integer> eosIds) {
        this(model, eosIds, LinearHook.NONE);
    }

    /** With a hook on every projection (e.g. LoRA adapters). */
    public GreedyGenerator(LlamaModel model, Collection<Integer> eosIds, LinearHook hook) {
        this.model = model;
        this.hook = hook;
        this.eos = new HashSet<>();
        eosIds.forEach(id -> eos.add(id.longValue()));
        this.padId = eosIds.isEmpty() ? 0 : eosIds.iterator().next();
    }

    /** New tokens per prompt (EOS included when reached). */
    public List<long[]> generate(List<long[]> prompts, int maxNewTokens, boolean useCache) {
        TokenBatch batch = TokenBatch.leftPadded(prompts, padId);
        LlamaConfig c = model.config();
        c.checkLength(batch.length(), "a prompt of " + batch.length() + " tokens", "shorten the prompt");
        c.checkLength((long) batch.length() + maxNewTokens, "a prompt of " + batch.length() + " tokens + "
                + maxNewTokens + " new tokens", "shorten the prompt or lower --max-new-tokens");
        int rows = batch.rows();
        List<List<Long>> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            out.add(new ArrayList<>());
        }
        boolean[] done = new boolean[rows];
        try (NDManager gen = model.weights().manager().newSubManager();
                KvCache cache = useCache ? model.newCache(gen, batch, batch.length() + maxNewTokens) : null) {
            TokenBatch input = batch;
            for (int step = 0; step < maxNewTokens && !allDone(done); step++) {
                long[] next;
                try (NDManager sm = gen.newSubManager()) {
                    NDArray logits = model.forward(sm, input, cache, hook, true); // (rows, 1, V)
                    next = logits.argMax(-1).toLongArray();
                }
                long[][] column = new long[rows][1];
                for (int r = 0; r < rows; r++) {
                    column[r][0] = done[r] ? padId : next[r];
                    if (!done[r]) {
                        out.get(r).add(next[r]);
                        done[r] = eos.contains(next[r]) || out.get(r).size() >= maxNewTokens;
                    }
                }
                input = useCache ? new TokenBatch(column, new int[rows]) : append(input, column);
            }
        }
        List<long[]> result = new ArrayList<>();
        for (List<Long> o : out) {
            result.add(o.stream().mapToLong(Long::longValue).toArray());
        }
        return result;
    }

    private static boolean allDone(boolean[] done) {
        for (boolean d : done) {
            if (!d) {
                return false;
            }
        }
        return true;
    }

    private static TokenBatch append(TokenBatch b, long[][] column) {
        long[][] t = new long[b.rows()][];
        for (int r = 0; r < b.rows(); r++) {
            t[r] = Arrays.copyOf(b.tokens()[r], b.length() + 1);
            t[r][b.length()] = column[r][0];
        }
        return new TokenBatch(t, b.pads());
    }
}
