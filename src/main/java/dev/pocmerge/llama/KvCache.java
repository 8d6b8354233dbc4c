package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of every layer for incremental decoding (HF {@code DynamicCache}): per layer
 * (rows, kv_heads, S, head_dim), after rotary embedding. The cache owns its arrays in its own manager, so a
 * per-step manager can close everything else; {@link #close()} frees them.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final int[] pads;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    /** An empty cache for rows left-padded by {@code pads}. */
    public KvCache(NDManager parent, int layers, int[] pads) {
        this.manager = parent.newSubManager();
        this.pads = pads.clone();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    public int rows() {
        return pads.length;
    }

    public int[] pads() {
        return pads.clone();
    }

    /** Tokens cached so far (padding included). */
    public int length() {
        return length;
    }

    /** Appends this step's keys and values of one layer; returns the whole (k, v) so far. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        keys[layer] = extend(keys[layer], k);
        values[layer] = extend(values[layer], v);
        return new NDArray[] {keys[layer], values[layer]};
    }

    private NDArray extend(NDArray old, NDArray fresh) {
        NDArray next;
        if (old == null) {
            next = fresh.duplicate(); // a copy: fresh may be a view of a per-step buffer
        } else {
            next = NDArrays.concat(new NDList(old, fresh), 2);
            old.close();
        }
        next.attach(manager);
        return next;
    }

    /** Called once per forward, after all layers appended {@code t} tokens. */
    void advance(int t) {
        length += t;
    }

    @Override
    public void close() {
        manager.close();
    }
}
