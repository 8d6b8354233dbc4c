package dev.pocmerge.llama;

import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Seeds;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random weights for a config, in HF order, reproducible from a seed (tiny-llama and tests). Linear weights are
 * N(0, 1/fan_in) and the embedding N(0, 1) rather than HF's N(0, 0.02): a tiny random model then has logits of
 * order one, so greedy choices are well separated and tests can see every term. Norm weights are 1 + N(0, 0.1²)
 * so a forward that skipped them would fail.
 */
public final class RandomWeights {
    private RandomWeights() {}

    public static Map<String, float[]> generate(LlamaConfig config, long seed) {
        Map<String, float[]> out = new LinkedHashMap<>();
        long stream = 0;
        for (Map.Entry<String, long[]> e : config.parameterShapes().entrySet()) {
            long[] shape = e.getValue();
            long n = new Shape(shape).size();
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(e.getKey() + " is too large for a random test model");
            }
            SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, stream++));
            float[] v = new float[(int) n];
            boolean norm = shape.length == 1;
            boolean embed = e.getKey().equals(LlamaNames.EMBED);
            double std = norm ? 0.1 : embed ? 1.0 : 1.0 / Math.sqrt(shape[1]);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((norm ? 1.0 : 0.0) + std * rng.nextGaussian());
            }
            out.put(e.getKey(), v);
        }
        return out;
    }
}
