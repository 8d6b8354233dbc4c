package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Tensors;

/**
 * Keys and values of every layer for incremental decoding: per layer (rows, kv_heads, S, head_dim), after
 * rotary embedding. Each layer's buffer is allocated once at the capacity the caller plans for (prompt + new
 * tokens) and each step's keys are copied into their slots in place, so a token costs O(1) copying instead of
 * the O(S) of re-concatenating the whole cache (HF {@code StaticCache} vs {@code DynamicCache}). Without a planned
 * capacity the buffer doubles when full. Attention reads a view of the filled slots. The cache owns its arrays
 * in its own manager, so a per-step manager can close everything else; {@link #close()} frees them.
 */
public final class KvCache implements AutoCloseable {
    private static final int MIN_GROWTH = 64;

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final boolean concatenating;
    private int[] pads;
    private int capacity;
    private int length;

    private KvCache(NDManager parent, int layers, int[] pads, int capacity, boolean concatenating) {
        this.manager = parent.newSubManager();
        this.pads = pads.clone();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.capacity = capacity;
        this.concatenating = concatenating;
    }

    /** An empty cache for rows left-padded by {@code pads}, growing by doubling. */
    public KvCache(NDManager parent, int layers, int[] pads) {
        this(parent, layers, pads, 0, false);
    }

    /** An empty cache planned for {@code capacity} tokens (padding included); it still grows if exceeded. */
    public KvCache(NDManager parent, int layers, int[] pads, int capacity) {
        this(parent, layers, pads, Math.max(0, capacity), false);
    }

    /**
     * The previous design, kept only so {@code bench eval} can compare against it: every step concatenates the
     * whole cache with the new keys (O(S) copying per token, O(S²) per sequence).
     */
    public static KvCache concatenating(NDManager parent, int layers, int[] pads) {
        return new KvCache(parent, layers, pads, 0, true);
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

    /** Slots allocated per row (0 before the first append). */
    public int allocated() {
        return keys.length == 0 || keys[0] == null ? 0 : (int) keys[0].getShape().get(2);
    }

    /** Writes this step's keys and values of one layer; returns views (k, v) of every cached slot so far. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        if (concatenating) {
            keys[layer] = extend(keys[layer], k);
            values[layer] = extend(values[layer], v);
            return new NDArray[] {keys[layer], values[layer]};
        }
        int t = (int) k.getShape().get(2);
        int need = length + t;
        keys[layer] = ensure(keys[layer], k, need);
        values[layer] = ensure(values[layer], v, need);
        NDIndex slots = new NDIndex().addAllDim().addAllDim().addSliceDim(length, need);
        keys[layer].set(slots, k);
        values[layer].set(slots, v);
        NDArray[] kv = {filled(keys[layer], need), filled(values[layer], need)};
        // the views would otherwise belong to the cache's manager and pile up there until it closes
        kv[0].attach(k.getManager());
        kv[1].attach(k.getManager());
        return kv;
    }

    private NDArray ensure(NDArray buffer, NDArray fresh, int need) {
        int have = buffer == null ? 0 : (int) buffer.getShape().get(2);
        if (need <= have) {
            return buffer;
        }
        int size = Math.max(need, Math.max(capacity, Math.max(2 * have, MIN_GROWTH)));
        Shape s = fresh.getShape();
        NDArray grown = manager.zeros(new Shape(s.get(0), s.get(1), size, s.get(3)), fresh.getDataType());
        if (buffer != null && length > 0) {
            try (NDManager tmp = manager.newSubManager()) {
                NDArray old = filled(buffer, length);
                old.attach(tmp);
                grown.set(new NDIndex().addAllDim().addAllDim().addSliceDim(0, length), old);
            }
        }
        if (buffer != null) {
            buffer.close();
        }
        return grown;
    }

    private static NDArray filled(NDArray buffer, int n) {
        return buffer.get(new NDIndex().addAllDim().addAllDim().addSliceDim(0, n));
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

    /**
     * A new cache whose row i is this cache's row {@code rows[i]} (a row may repeat: one context scored against
     * several continuations, one prompt expanded to its beams), with room for {@code capacity} tokens.
     */
    public KvCache select(NDManager parent, int[] rows, int capacity) {
        KvCache c = new KvCache(parent, keys.length, pick(pads, rows), Math.max(capacity, length), concatenating);
        c.length = length;
        if (length == 0) {
            return c;
        }
        try (NDManager tmp = manager.newSubManager()) {
            NDArray idx = Tensors.ofLongs(tmp, toLongs(rows), new Shape(rows.length));
            for (int l = 0; l < keys.length; l++) {
                c.keys[l] = c.copyRows(keys[l], idx, tmp);
                c.values[l] = c.copyRows(values[l], idx, tmp);
            }
        }
        return c;
    }

    /** Row i becomes row {@code rows[i]} (beam search: each surviving beam continues from its parent). */
    public void reorder(int[] rows) {
        if (rows.length != this.pads.length) {
            throw new IllegalArgumentException("reorder keeps " + this.pads.length + " rows, got " + rows.length);
        }
        this.pads = pick(pads, rows);
        if (length == 0) {
            return;
        }
        try (NDManager tmp = manager.newSubManager()) {
            NDArray idx = Tensors.ofLongs(tmp, toLongs(rows), new Shape(rows.length));
            for (int l = 0; l < keys.length; l++) {
                NDArray k = copyRows(keys[l], idx, tmp);
                NDArray v = copyRows(values[l], idx, tmp);
                keys[l].close();
                values[l].close();
                keys[l] = k;
                values[l] = v;
            }
        }
    }

    /** Rows {@code idx} of {@code src} in a buffer of this cache's capacity, owned by this cache. */
    private NDArray copyRows(NDArray src, NDArray idx, NDManager tmp) {
        NDArray picked = src.get(new NDIndex("{}", idx));
        picked.attach(tmp);
        int have = (int) picked.getShape().get(2);
        int size = concatenating ? length : Math.max(have, capacity);
        if (concatenating) {
            NDArray out = filled(picked, length).duplicate();
            out.attach(manager);
            return out;
        }
        if (size == have) {
            picked.attach(manager);
            return picked;
        }
        Shape s = picked.getShape();
        NDArray out = manager.zeros(new Shape(s.get(0), s.get(1), size, s.get(3)), picked.getDataType());
        NDArray part = filled(picked, length);
        part.attach(tmp);
        out.set(new NDIndex().addAllDim().addAllDim().addSliceDim(0, length), part);
        return out;
    }

    private static int[] pick(int[] a, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = a[rows[i]];
        }
        return out;
    }

    private static long[] toLongs(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
