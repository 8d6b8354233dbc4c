package dev.pocmerge.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.Engines;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small random configs and models for tests. */
public final class TestModels {
    private TestModels() {}

    public static LlamaConfig config(int hidden, int inter, int layers, int heads, int kvHeads, int headDim, int vocab,
            boolean tied, double theta, RopeScaling scaling) {
        return new LlamaConfig(hidden, inter, layers, heads, kvHeads, headDim, 1e-5, theta, scaling, vocab, tied,
                256, List.of(1), List.of(2));
    }

    /** MHA, tied, default rope. */
    public static LlamaConfig small() {
        return config(32, 48, 2, 4, 4, 8, 61, true, 10000, null);
    }

    /**
     * GQA (2 groups of 3), untied, llama3 rope scaling. Untied because a tied random model mostly repeats its
     * input token, which makes generation tests weak.
     */
    public static LlamaConfig gqa() {
        return config(36, 50, 2, 6, 2, 8, 67, false, 500000, RopeScaling.llama3(8, 1, 4, 16));
    }

    public static LlamaModel model(LlamaConfig c, long seed) {
        Engines.pytorch();
        Map<String, float[]> w = RandomWeights.generate(c, seed);
        return new LlamaModel(LlamaWeights.load(c, MemoryTensorSource.of(c, w), Device.cpu(), "memory"));
    }

    public static long[] randomIds(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }

    /** [rows][T][vocab] logits of a full forward. */
    public static float[][][] logits(LlamaModel m, TokenBatch b) {
        try (NDManager step = m.weights().manager().newSubManager()) {
            NDArray l = m.forward(step, b);
            return unpack(l);
        }
    }

    public static float[][][] unpack(NDArray l) {
        int rows = (int) l.getShape().get(0);
        int t = (int) l.getShape().get(1);
        int v = (int) l.getShape().get(2);
        float[] f = l.toFloatArray();
        float[][][] out = new float[rows][t][v];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < t; i++) {
                System.arraycopy(f, (r * t + i) * v, out[r][i], 0, v);
            }
        }
        return out;
    }

    public static double maxAbsDiff(float[][] a, float[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                m = Math.max(m, Math.abs((double) a[i][j] - b[i][j]));
            }
        }
        return m;
    }
}
