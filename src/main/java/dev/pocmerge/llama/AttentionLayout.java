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

    /** (rows, T) positions of the new tokens; padding slots get 0 (their outputs are never used). */
    public int[][] positions() {
        int[][] p = new int[pads.length][length];
        for (int r = 0; r < pads.length; r++) {
            for (int i = 0; i < length; i++) {
                p[r][i] = Math.max(0, past + i - pads[r]);
            }
        }
        return p;
    }

    /** (rows, 1, T, past + T) float32: 0 where attention is allowed, the float minimum elsewhere. */
    public NDArray mask(NDManager m) {
        int s = past + length;
        float[] v = new float[pads.length * length * s];
        for (int r = 0; r < pads.length; r++) {
            for (int i = 0; i < length; i++) {
                int q = past + i;
                int base = (r * length + i) * s;
                for (int j = 0; j < s; j++) {
                    v[base + j] = j >= pads[r] && j <= q ? 0f : BLOCKED;
                }
            }
        }
        return Tensors.of(m, v, new Shape(pads.length, 1, length, s), DataType.FLOAT32);
    }
}
