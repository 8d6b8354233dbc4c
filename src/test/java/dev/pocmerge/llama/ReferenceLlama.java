package dev.pocmerge.llama;

import java.util.Map;

/**
 * A float64 Llama forward written plainly, loop by loop, from HF transformers' {@code modeling_llama.py} and
 * {@code modeling_rope_utils.py}. Shares nothing with the DJL forward but the config record and the weights.
 */
final class ReferenceLlama {
    private final LlamaConfig c;
    private final Map<String, float[]> w;

    ReferenceLlama(LlamaConfig c, Map<String, float[]> w) {
        this.c = c;
        this.w = w;
    }

    /** Logits [T][vocab] for one unpadded sequence at positions 0..T-1. */
    double[][] forward(long[] ids) {
        int t = ids.length;
        int hid = c.hiddenSize();
        double[][] x = new double[t][hid];
        float[] emb = w.get("model.embed_tokens.weight");
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < hid; j++) {
                x[i][j] = emb[(int) ids[i] * hid + j];
            }
        }
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            double[][] n = rmsNorm(x, w.get(p + "input_layernorm.weight"));
            double[][] a = attention(n, p + "self_attn.");
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < hid; j++) {
                    x[i][j] += a[i][j]; // residual
                }
            }
            n = rmsNorm(x, w.get(p + "post_attention_layernorm.weight"));
            double[][] gate = linear(n, w.get(p + "mlp.gate_proj.weight"), c.intermediateSize());
            double[][] up = linear(n, w.get(p + "mlp.up_proj.weight"), c.intermediateSize());
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < c.intermediateSize(); j++) {
                    double g = gate[i][j];
                    gate[i][j] = g / (1 + Math.exp(-g)) * up[i][j]; // act_fn(gate_proj(x)) * up_proj(x), silu
                }
            }
            double[][] down = linear(gate, w.get(p + "mlp.down_proj.weight"), hid);
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < hid; j++) {
                    x[i][j] += down[i][j];
                }
            }
        }
        double[][] n = rmsNorm(x, w.get("model.norm.weight"));
        float[] head = c.tieWordEmbeddings() ? emb : w.get("lm_head.weight");
        return linear(n, head, c.vocabSize());
    }

    private double[][] rmsNorm(double[][] x, float[] weight) {
        double[][] y = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            double ss = 0;
            for (double v : x[i]) {
                ss += v * v;
            }
            double r = 1 / Math.sqrt(ss / x[i].length + c.rmsNormEps());
            for (int j = 0; j < x[i].length; j++) {
                y[i][j] = weight[j] * x[i][j] * r;
            }
        }
        return y;
    }

    /** y = x·Wᵀ with W stored (out, in) row-major. */
    private static double[][] linear(double[][] x, float[] weight, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int k = 0; k < in; k++) {
                    s += x[i][k] * weight[o * in + k];
                }
                y[i][o] = s;
            }
        }
        return y;
    }

    private double[][] attention(double[][] x, String p) {
        int t = x.length;
        int nh = c.numAttentionHeads();
        int nkv = c.numKeyValueHeads();
        int d = c.headDim();
        double[][] q = linear(x, w.get(p + "q_proj.weight"), nh * d);
        double[][] k = linear(x, w.get(p + "k_proj.weight"), nkv * d);
        double[][] v = linear(x, w.get(p + "v_proj.weight"), nkv * d);
        double[] invFreq = invFreq();
        for (int i = 0; i < t; i++) {
            rope(q[i], nh, d, i, invFreq);
            rope(k[i], nkv, d, i, invFreq);
        }
        double[][] out = new double[t][nh * d];
        for (int h = 0; h < nh; h++) {
            int kvh = h / (nh / nkv); // repeat_kv
            for (int i = 0; i < t; i++) {
                double[] s = new double[i + 1]; // causal: keys 0..i
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    double dot = 0;
                    for (int e = 0; e < d; e++) {
                        dot += q[i][h * d + e] * k[j][kvh * d + e];
                    }
                    s[j] = dot / Math.sqrt(d);
                    max = Math.max(max, s[j]);
                }
                double z = 0;
                for (int j = 0; j <= i; j++) {
                    s[j] = Math.exp(s[j] - max);
                    z += s[j];
                }
                for (int j = 0; j <= i; j++) {
                    for (int e = 0; e < d; e++) {
                        out[i][h * d + e] += s[j] / z * v[j][kvh * d + e];
                    }
                }
            }
        }
        return linear(out, w.get(p + "o_proj.weight"), c.hiddenSize());
    }

    /** In place, every head of one position: x·cos + rotate_half(x)·sin, rotate_half(x) = cat(−x2, x1). */
    private static void rope(double[] x, int heads, int d, int pos, double[] invFreq) {
        int half = d / 2;
        for (int h = 0; h < heads; h++) {
            int o = h * d;
            for (int i = 0; i < half; i++) {
                double th = pos * invFreq[i];
                double x1 = x[o + i];
                double x2 = x[o + half + i];
                x[o + i] = x1 * Math.cos(th) - x2 * Math.sin(th);
                x[o + half + i] = x2 * Math.cos(th) + x1 * Math.sin(th);
            }
        }
    }

    /** modeling_rope_utils: default, linear and llama3 inverse frequencies. */
    private double[] invFreq() {
        int d = c.headDim();
        double[] f = new double[d / 2];
        for (int i = 0; i < d / 2; i++) {
            f[i] = 1.0 / Math.pow(c.ropeTheta(), (double) (2 * i) / d);
        }
        RopeScaling s = c.ropeScaling();
        if (s == null) {
            return f;
        }
        if (s.type().equals("linear")) {
            for (int i = 0; i < f.length; i++) {
                f[i] = f[i] / s.factor();
            }
            return f;
        }
        double oldContext = s.originalMaxPositionEmbeddings();
        double lowWavelen = oldContext / s.lowFreqFactor();
        double highWavelen = oldContext / s.highFreqFactor();
        for (int i = 0; i < f.length; i++) {
            double wavelen = 2 * Math.PI / f[i];
            double scaled = wavelen > lowWavelen ? f[i] / s.factor() : f[i];
            double smooth = (oldContext / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
            double smoothed = (1 - smooth) * scaled / s.factor() + smooth * scaled;
            boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
            f[i] = medium ? smoothed : scaled;
        }
        return f;
    }
}
