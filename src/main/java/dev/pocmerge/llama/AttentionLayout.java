package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Tensors;

/**
 * Positions and the additive attention mask for a left-padded batch. Row r has {@code pads[r]} padding tokens
 * first; its real tokens sit at positions 0, 1, ... (HF: {@code position_ids = attention_mask.cumsum(-1) − 1}).
 * Query i (absolute index {@code past + i}) may see key j iff {@code pads[r] ≤ j ≤ past + i} (causal + padding
 * mask); blocked entries get the dtype's minimum, as HF does, so fully padded rows stay finite.
 * Both are built on the device from the pads and two ranges (a decode step used to fill a rows·S float mask in
 * Java and upload it; now only the rows pad counts travel).
 */
public final class AttentionLayout {
    static final float BLOCKED = -Float.MAX_VALUE;

    private final int[] pads;
    private final int past;
    private final int length;

    public AttentionLayout(int[] pads, int past, int length) {
        this.pads = pads.clone();
        this.past = past;
        this.length = length;
    }

    /** (rows, T) int64 positions of the new tokens; padding slots get 0 (their outputs are never used). */
    public NDArray positions(NDManager m) {
        NDArray q = m.arange(past, past + length, 1, DataType.INT64).reshape(1, length);
        NDArray p = q.sub(padColumn(m, new Shape(pads.length, 1)));
        return p.maximum(Tensors.ofLongs(m, new long[] {0}, new Shape()));
    }

    /** (rows, 1, T, past + T) float32: 0 where attention is allowed, the float minimum elsewhere. */
    public NDArray mask(NDManager m) {
        int s = past + length;
        NDArray key = m.arange(0, s, 1, DataType.INT64).reshape(1, 1, 1, s);
        NDArray query = m.arange(past, s, 1, DataType.INT64).reshape(1, 1, length, 1);
        NDArray allowed = key.gte(padColumn(m, new Shape(pads.length, 1, 1, 1))).logicalAnd(key.lte(query));
        // (allowed − 1)·MAX: 0 where allowed, −MAX where blocked (DJL's where does not broadcast)
        NDArray one = m.full(new Shape(), 1f, DataType.FLOAT32);
        NDArray max = m.full(new Shape(), -BLOCKED, DataType.FLOAT32);
        return allowed.toType(DataType.FLOAT32, false).sub(one).mul(max);
    }

    private NDArray padColumn(NDManager m, Shape shape) {
        long[] p = new long[pads.length];
        for (int r = 0; r < p.length; r++) {
            p[r] = pads[r];
        }
        return Tensors.ofLongs(m, p, shape);
    }
}
