package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;

/**
 * HF {@code LlamaAttention} (eager): q/k/v projections, rotary embeddings, grouped-query attention
 * {@code softmax(q·kᵀ / √d + mask)·v}, o projection. GQA without copying keys: query head h uses kv head
 * h / groups (HF {@code repeat_kv}), so queries are regrouped to (rows, kv_heads, groups·T, d) instead.
 */
final class Attention {
    private final int layer;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final FrozenLinear q;
    private final FrozenLinear k;
    private final FrozenLinear v;
    private final FrozenLinear o;
    private final NDArray scale; // 0-d float32: head_dim^-0.5

    Attention(LlamaConfig c, int layer, LlamaWeights w, NDArray scale) {
        this.layer = layer;
        this.heads = c.numAttentionHeads();
        this.kvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
        this.q = w.linear(layer, "q_proj");
        this.k = w.linear(layer, "k_proj");
        this.v = w.linear(layer, "v_proj");
        this.o = w.linear(layer, "o_proj");
        this.scale = scale;
    }

    /**
     * @param x (rows, T, hidden) float32
     * @param cos rotary table (rows, 1, T, head_dim); {@code sin} likewise
     * @param mask (rows, 1, T, S) additive, S = cached + T
     * @param cache null for a full forward
     */
    NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray mask, KvCache cache, LinearHook hook) {
        long rows = x.getShape().get(0);
        long t = x.getShape().get(1);
        long groups = heads / kvHeads;
        // (rows, T, heads·d) -> (rows, heads, T, d)
        NDArray qs = q.forward(x, hook).reshape(rows, t, heads, headDim).transpose(0, 2, 1, 3);
        NDArray ks = k.forward(x, hook).reshape(rows, t, kvHeads, headDim).transpose(0, 2, 1, 3);
        NDArray vs = v.forward(x, hook).reshape(rows, t, kvHeads, headDim).transpose(0, 2, 1, 3);
        // the 1/√d scale goes on q (rows, heads, T, d), not on the (rows, heads, T, S) scores: S ≫ d when decoding
        qs = Rope.apply(qs, cos, sin).mul(scale);
        ks = Rope.apply(ks, cos, sin);
        if (cache != null) {
            NDArray[] kv = cache.append(layer, ks, vs);
            ks = kv[0];
            vs = kv[1];
        }
        long s = ks.getShape().get(2);
        NDArray keysT = ks.transpose(0, 1, 3, 2);
        keysT.attach(x.getManager()); // a view of cached keys: must die with this step, not with the cache
        // attn_weights = (q · scaling)·kᵀ + causal_mask, per kv head over its group of query heads
        NDArray scores = qs.reshape(rows, kvHeads, groups * t, headDim).matMul(keysT)
                .reshape(rows, heads, t, s).add(mask);
        // softmax(dim=-1, dtype=float32) · v
        NDArray probs = scores.softmax(-1).reshape(rows, kvHeads, groups * t, s);
        NDArray out = probs.matMul(vs).reshape(rows, heads, t, headDim).transpose(0, 2, 1, 3)
                .reshape(rows, t, (long) heads * headDim);
        return o.forward(out, hook);
    }
}
