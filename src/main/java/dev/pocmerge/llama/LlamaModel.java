package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * HF {@code LlamaForCausalLM} forward over one shared copy of frozen weights: embedding, then per layer
 * {@code h = x + attn(input_layernorm(x)); x = h + mlp(post_attention_layernorm(h))}, final norm, lm_head.
 * Every op's result lands in the caller's per-step manager; close it after each forward.
 */
public final class LlamaModel implements AutoCloseable {
    private final LlamaConfig config;
    private final LlamaWeights weights;
    private final Rope rope;
    private final List<Attention> attention = new ArrayList<>();
    private final List<Mlp> mlp = new ArrayList<>();
    private final List<RmsNorm> inputNorm = new ArrayList<>();
    private final List<RmsNorm> postNorm = new ArrayList<>();
    private final RmsNorm finalNorm;
    private final FrozenLinear lmHead;

    public LlamaModel(LlamaWeights weights) {
        this.config = weights.config();
        this.weights = weights;
        this.rope = new Rope(config);
        NDManager m = weights.manager();
        NDArray eps = m.full(new Shape(), (float) config.rmsNormEps(), DataType.FLOAT32);
        NDArray scale = m.full(new Shape(), (float) (1.0 / Math.sqrt(config.headDim())), DataType.FLOAT32);
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            attention.add(new Attention(config, l, weights, scale));
            mlp.add(new Mlp(l, weights));
            inputNorm.add(new RmsNorm(weights.get(LlamaNames.inputNorm(l)), eps));
            postNorm.add(new RmsNorm(weights.get(LlamaNames.postAttentionNorm(l)), eps));
        }
        this.finalNorm = new RmsNorm(weights.get(LlamaNames.NORM), eps);
        this.lmHead = weights.lmHead();
    }

    public LlamaConfig config() {
        return config;
    }

    public LlamaWeights weights() {
        return weights;
    }

    /** A fresh cache for the rows of {@code batch} (its padding is remembered for later steps). */
    public KvCache newCache(NDManager parent, TokenBatch batch) {
        return new KvCache(parent, config.numHiddenLayers(), batch.pads());
    }

    /** A fresh cache with room for {@code capacity} tokens per row (prompt, padding and new tokens). */
    public KvCache newCache(NDManager parent, TokenBatch batch, int capacity) {
        return new KvCache(parent, config.numHiddenLayers(), batch.pads(), capacity);
    }

    /** Logits (rows, T, vocab) of a full forward (float32, float64 for a float64 base), no cache, no hook. */
    public NDArray forward(NDManager step, TokenBatch batch) {
        return forward(step, batch, null, LinearHook.NONE, false);
    }

    /**
     * @param step per-step manager that owns every intermediate and the result
     * @param batch new tokens; with a cache they follow the cached ones and the cache's padding applies
     * @param cache null for a full forward; else extended by this batch
     * @param hook applied to every q/k/v/o/gate/up/down output (lm_head is never hooked)
     * @param lastOnly return logits (rows, 1, vocab) of the last position only (generation)
     */
    public NDArray forward(NDManager step, TokenBatch batch, KvCache cache, LinearHook hook, boolean lastOnly) {
        NDArray x = decoder(step, batch, cache, hook);
        if (lastOnly && batch.length() > 1) {
            x = x.get(":, -1:, :");
        }
        return head(x);
    }

    /**
     * The final norm's output (rows, T, hidden), without lm_head: scoring picks the few positions it needs and
     * projects only those ({@link TokenLogProbs}), never building (rows, T, vocab) logits.
     */
    public NDArray hidden(NDManager step, TokenBatch batch, KvCache cache, LinearHook hook) {
        return finalNorm.forward(decoder(step, batch, cache, hook));
    }

    /** lm_head of final-norm outputs (..., hidden): logits (..., vocab) in the activation dtype. */
    public NDArray logits(NDArray normed) {
        return lmHead.forward(normed, LinearHook.NONE);
    }

    private NDArray decoder(NDManager step, TokenBatch batch, KvCache cache, LinearHook hook) {
        Prepared p = prepare(step, batch, cache);
        NDArray x = p.embeddings();
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            x = layer(l, x, p, cache, hook);
        }
        if (cache != null) {
            cache.advance(batch.length());
        }
        return x;
    }

    /**
     * What every layer of one forward shares: rotary tables and the additive mask for the batch's padding and
     * the cache's length, and the input embeddings (in the activation dtype).
     */
    public record Prepared(NDArray cos, NDArray sin, NDArray mask, NDArray embeddings) {}

    public Prepared prepare(NDManager step, TokenBatch batch, KvCache cache) {
        int rows = batch.rows();
        int t = batch.length();
        int past = cache == null ? 0 : cache.length();
        if (cache != null && cache.rows() != rows) {
            throw new IllegalArgumentException("cache has " + cache.rows() + " rows, batch " + rows);
        }
        int[] pads = cache == null ? batch.pads() : cache.pads();
        int minPad = java.util.Arrays.stream(pads).min().orElse(0);
        // the first place every path's tokens meet the model (generate, evaluate, loglik scoring, finetune)
        long length = (long) past + t - minPad;
        config.checkLength(length, "a sequence of " + length + " tokens", "use a shorter prompt");
        checkIds(batch);
        AttentionLayout layout = new AttentionLayout(pads, past, t);
        NDArray[] cosSin = rope.tables(step, layout.positions(step), Math.max(0, past + t - 1 - minPad),
                weights.manager());
        NDArray mask = layout.mask(step);
        NDArray ids = Tensors.ofLongs(step, batch.flat(), new Shape(rows, t));
        // inputs_embeds = embed_tokens(input_ids)
        NDArray x = ids.getNDArrayInternal().embedding(ids, weights.embedding(), SparseFormat.DENSE)
                .singletonOrThrow();
        if (x.getDataType() != weights.activationType()) {
            x = x.toType(weights.activationType(), false);
        }
        return new Prepared(cosSin[0], cosSin[1], mask, x);
    }

    /** Ids outside the embedding would end in a native index error: a tokenizer of another model. */
    private void checkIds(TokenBatch batch) {
        int v = config.vocabSize();
        for (long[] row : batch.tokens()) {
            for (long id : row) {
                if (id < 0 || id >= v) {
                    throw new PocmergeException("token id " + id + " is outside the model's vocabulary (vocab_size "
                            + v + " in config.json): the tokenizer does not belong to this model");
                }
            }
        }
    }

    /** Decoder layer l: {@code h = x + attn(input_layernorm(x)); h + mlp(post_attention_layernorm(h))}. */
    public NDArray layer(int l, NDArray x, Prepared p, KvCache cache, LinearHook hook) {
        NDArray h = x.add(attention.get(l).forward(inputNorm.get(l).forward(x), p.cos(), p.sin(), p.mask(), cache,
                hook));
        return h.add(mlp.get(l).forward(postNorm.get(l).forward(h), hook));
    }

    /** Final norm and lm_head (never hooked): logits (rows, T, vocab) in the activation dtype. */
    public NDArray head(NDArray x) {
        return lmHead.forward(finalNorm.forward(x), LinearHook.NONE);
    }

    @Override
    public void close() {
        weights.close();
    }
}
