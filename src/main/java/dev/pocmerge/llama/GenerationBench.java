package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.PocmergeException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Measures prefill and greedy decoding with and without the KV cache on one prompt of random ids (ids ≥ 3, so no
 * special token; EOS is ignored so every run makes exactly {@code newTokens} steps). Decode timings cover the
 * {@code newTokens} steps only: with the cache each step runs one token; without it each step reruns the whole
 * prefix (prompt + tokens so far). Each figure is the best of {@code repeats} runs after one warm-up.
 */
public final class GenerationBench {
    /**
     * Best-of times in seconds (prefill of the prompt; {@code newTokens} cached decode steps; {@code newTokens}
     * recompute steps) and the greedy tokens both modes produced; rates are tokens over those times.
     */
    public record Result(int promptTokens, int newTokens, double prefillSeconds, double decodeCacheSeconds,
            double decodeRecomputeSeconds, long[] tokens) {
        public double prefillTokensPerS() {
            return promptTokens / prefillSeconds;
        }

        public double decodeCacheTokensPerS() {
            return newTokens / decodeCacheSeconds;
        }

        public double decodeRecomputeTokensPerS() {
            return newTokens / decodeRecomputeSeconds;
        }

        public double cacheSpeedup() {
            return decodeCacheTokensPerS() / decodeRecomputeTokensPerS();
        }
    }

    private GenerationBench() {}

    /** The benchmark's prompt: {@code promptTokens} ids ≥ 3 (no special token) drawn from {@code seed}. */
    public static long[] prompt(LlamaConfig config, int promptTokens, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] prompt = new long[promptTokens];
        int v = config.vocabSize();
        for (int i = 0; i < promptTokens; i++) {
            prompt[i] = 3 + rng.nextInt(Math.max(1, v - 3));
        }
        return prompt;
    }

    public static Result run(LlamaModel model, int promptTokens, int newTokens, int repeats, long seed) {
        return run(model, promptTokens, newTokens, repeats, seed, LinearHook.NONE);
    }

    /** As above; {@code hook} sees every projection of every forward (tests count the work through it). */
    public static Result run(LlamaModel model, int promptTokens, int newTokens, int repeats, long seed,
            LinearHook hook) {
        model.config().checkLength((long) promptTokens + newTokens, "--prompt-tokens " + promptTokens
                + " + --new-tokens " + newTokens, "lower them");
        if (repeats < 1) {
            throw new PocmergeException("--repeats " + repeats + ": must be ≥ 1 (timed runs after the warm-up)");
        }
        long[] prompt = prompt(model.config(), promptTokens, seed);
        double prefill = Double.MAX_VALUE;
        double cached = Double.MAX_VALUE;
        double recompute = Double.MAX_VALUE;
        long[] out = new long[newTokens];
        for (int r = 0; r <= repeats; r++) { // r == 0 warms up
            double[] t = cachedRun(model, prompt, out, hook);
            long[] again = new long[newTokens];
            double tr = recomputeRun(model, prompt, again, hook);
            if (!Arrays.equals(out, again)) {
                throw new IllegalStateException("cached and recomputed greedy decoding disagree: "
                        + Arrays.toString(out) + " vs " + Arrays.toString(again));
            }
            if (r > 0) {
                prefill = Math.min(prefill, t[0]);
                cached = Math.min(cached, t[1]);
                recompute = Math.min(recompute, tr);
            }
        }
        return new Result(promptTokens, newTokens, prefill, cached, recompute, out);
    }

    /** Returns {prefill seconds, decode seconds}; fills {@code out} with the greedy tokens. */
    private static double[] cachedRun(LlamaModel model, long[] prompt, long[] out, LinearHook hook) {
        try (NDManager gen = model.weights().manager().newSubManager();
                KvCache cache = model.newCache(gen, TokenBatch.of(prompt))) {
            long t0 = System.nanoTime();
            long next = step(model, gen, TokenBatch.of(prompt), cache, hook);
            long t1 = System.nanoTime();
            for (int i = 0; i < out.length; i++) {
                out[i] = next;
                next = step(model, gen, TokenBatch.of(new long[] {next}), cache, hook);
            }
            long t2 = System.nanoTime();
            return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9};
        }
    }

    private static double recomputeRun(LlamaModel model, long[] prompt, long[] out, LinearHook hook) {
        try (NDManager gen = model.weights().manager().newSubManager()) {
            long[] seq = Arrays.copyOf(prompt, prompt.length + out.length);
            long next = step(model, gen, TokenBatch.of(prompt), null, hook); // the first token, as the cached run
            long t0 = System.nanoTime();
            for (int i = 0; i < out.length; i++) {
                out[i] = next;
                seq[prompt.length + i] = next;
                next = step(model, gen, TokenBatch.of(Arrays.copyOf(seq, prompt.length + i + 1)), null, hook);
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private static long step(LlamaModel model, NDManager gen, TokenBatch batch, KvCache cache, LinearHook hook) {
        try (NDManager sm = gen.newSubManager()) {
            NDArray logits = model.forward(sm, batch, cache, hook, true);
            return logits.argMax(-1).toLongArray()[0];
        }
    }
}
