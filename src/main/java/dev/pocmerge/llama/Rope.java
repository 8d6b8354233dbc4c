package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.pocmerge.core.Tensors;

/**
 * Rotary position embeddings in HF's rotate-half convention ({@code modeling_llama.apply_rotary_pos_emb}):
 * {@code q' = q·cos + rotate_half(q)·sin}, {@code rotate_half(x) = cat(−x2, x1)}, with
 * {@code cos/sin = cat(θ, θ)} and {@code θ = position · inv_freq}. Frequencies follow
 * {@code modeling_rope_utils}: default, {@code linear} and {@code llama3} (attention scaling is 1 for all three).
 */
public final class Rope {
    private final double[] invFreq;
    private NDArray cosTable; // (cached, head_dim) float32, rows = positions 0..cached-1
    private NDArray sinTable;
    private int cached;

    public Rope(LlamaConfig c) {
        this.invFreq = inverseFrequencies(c);
    }

    /** {@code inv_freq[i] = 1 / θ^(2i/d)}, i < d/2, then scaled as rope_scaling says. */
    public static double[] inverseFrequencies(LlamaConfig c) {
        int d = c.headDim();
        double[] f = new double[d / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / d); // _compute_default_rope_parameters
        }
        RopeScaling s = c.ropeScaling();
        if (s == null) {
            return f;
        }
        if (!s.isLlama3()) {
            for (int i = 0; i < f.length; i++) {
                f[i] /= s.factor(); // _compute_linear_scaling_rope_parameters: inv_freq / factor
            }
            return f;
        }
        // _compute_llama3_parameters
        double old = s.originalMaxPositionEmbeddings();
        double lowFreqWavelen = old / s.lowFreqFactor();
        double highFreqWavelen = old / s.highFreqFactor();
        for (int i = 0; i < f.length; i++) {
            double wavelen = 2 * Math.PI / f[i];
            if (wavelen > lowFreqWavelen) {
                f[i] = f[i] / s.factor();                       // low frequencies: divide by factor
            } else if (wavelen >= highFreqWavelen) {            // medium: interpolate smoothly
                double smooth = (old / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                f[i] = (1 - smooth) * f[i] / s.factor() + smooth * f[i];
            }                                                   // high frequencies: unchanged
        }
        return f;
    }

    public double[] invFreq() {
        return invFreq.clone();
    }

    /**
     * cos and sin, each (rows, 1, T, head_dim) float32, for int64 positions (rows, T): rows of tables of every
     * position up to the largest asked for, computed once in Java (float64 angles, as before) and kept on the
     * device in {@code owner}, so a decode step looks its rows up instead of recomputing and uploading them.
     */
    public synchronized NDArray[] tables(NDManager step, NDArray positions, int maxPosition, NDManager owner) {
        if (maxPosition >= cached) {
            grow(owner, Math.max(maxPosition + 1, Math.max(2 * cached, 256)));
        }
        Shape s = positions.getShape();
        NDArray cos = lookup(positions, cosTable).reshape(s.get(0), 1, s.get(1), 2L * invFreq.length);
        NDArray sin = lookup(positions, sinTable).reshape(s.get(0), 1, s.get(1), 2L * invFreq.length);
        return new NDArray[] {cos, sin};
    }

    private static NDArray lookup(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    private void grow(NDManager owner, int positions) {
        int half = invFreq.length;
        int d = 2 * half;
        float[] cos = new float[positions * d];
        float[] sin = new float[cos.length];
        for (int p = 0; p < positions; p++) {
            int base = p * d;
            for (int i = 0; i < half; i++) {
                double theta = p * invFreq[i]; // freqs = position_ids · inv_freq
                float c = (float) Math.cos(theta);
                float s = (float) Math.sin(theta);
                cos[base + i] = c;                           // emb = cat(freqs, freqs)
                cos[base + half + i] = c;
                sin[base + i] = s;
                sin[base + half + i] = s;
            }
        }
        if (cosTable != null) {
            cosTable.close();
            sinTable.close();
        }
        Shape shape = new Shape(positions, d);
        cosTable = Tensors.of(owner, cos, shape, DataType.FLOAT32);
        sinTable = Tensors.of(owner, sin, shape, DataType.FLOAT32);
        cached = positions;
    }

    /** {@code x·cos + rotate_half(x)·sin} for x (rows, heads, T, head_dim). */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        int last = x.getShape().dimension() - 1;
        long half = x.getShape().get(last) / 2;
        NDList parts = x.split(new long[] {half}, last);
        NDArray rotated = NDArrays.concat(new NDList(parts.get(1).neg(), parts.get(0)), last); // cat(−x2, x1)
        return x.mul(cos).add(rotated.mul(sin));
    }
}
