package dev.pocmerge.lora;

import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaNames;
import java.util.List;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Random adapters for tests: both factors non-zero (a trained adapter, not a fresh one with B = 0). */
public final class TestAdapters {
    private TestAdapters() {}

    /** Every layer of {@code config}, the given modules, shapes from the config. */
    public static LoraAdapter random(LlamaConfig config, List<String> modules, int r, double alpha, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        SortedMap<ModuleKey, LoraFactors> m = new TreeMap<>();
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            for (String mod : modules) {
                long[] w = config.parameterShapes().get(LlamaNames.linear(l, mod));
                m.put(new ModuleKey(l, mod), factors(rng, r, (int) w[1], (int) w[0]));
            }
        }
        return new LoraAdapter(new LoraSettings(r, alpha, 0.05, modules, "models/tiny-llama"), m);
    }

    public static LoraFactors factors(SplittableRandom rng, int r, int in, int out) {
        float[] a = new float[r * in];
        float[] b = new float[out * r];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((rng.nextDouble() * 2 - 1) / Math.sqrt(in)); // kaiming-uniform's range
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (0.1 * rng.nextGaussian());
        }
        return new LoraFactors(r, in, out, a, b);
    }

    /** A small config (GQA: k/v narrower than q; up/down non-square). */
    public static LlamaConfig tinyConfig() {
        return new LlamaConfig(32, 48, 2, 4, 2, 8, 1e-5, 10000, null, 300, false, 2048, List.of(1), List.of(2));
    }
}
