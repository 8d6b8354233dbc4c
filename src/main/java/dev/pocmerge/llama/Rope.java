package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Tensors;

/**
 * Rotary position embeddings in HF's rotate-half convention ({@code modeling_llama.apply_rotary_pos_emb}):
 * {@code q' = q·cos + rotate_half(q)·sin}, {@code rotate_half(x) = cat(−x2, x1)}, with
 * {@code cos/sin = cat(θ, θ)} and {@code θ = position · inv_freq}. Frequencies follow
 * {@code modeling_rope_utils}: default, {@code linear} and {@code llama3} (attention scaling is 1 for all three).
 */
public final class Rope {
    private final double[] invFreq;

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

    /** cos and sin tables, each (rows, 1, T, head_dim) float32, for per-row positions (rows, T). */
    public NDArray[] tables(NDManager m, int[][] positions) {
        int rows = positions.length;
        int t = positions[0].length;
        int half = invFreq.length;
        int d = 2 * half;
        float[] cos = new float[rows * t * d];
        float[] sin = new float[cos.length];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < t; j++) {
                int base = (r * t + j) * d;
                for (int i = 0; i < half; i++) {
                    double theta = positions[r][j] * invFreq[i]; // freqs = position_ids · inv_freq
                    float c = (float) Math.cos(theta);
                    float s = (float) Math.sin(theta);
                    cos[base + i] = c;                           // emb = cat(freqs, freqs)
                    cos[base + half + i] = c;
                    sin[base + i] = s;
                    sin[base + half + i] = s;
                }
            }
        }
        Shape shape = new Shape(rows, 1, t, d);
        return new NDArray[] {Tensors.of(m, cos, shape, DataType.FLOAT32), Tensors.of(m, sin, shape, DataType.FLOAT32)};
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
