package dev.pocmerge.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.pocmerge.data.MiniCommonsense;
import dev.pocmerge.llama.GreedyGenerator;
import dev.pocmerge.llama.KvCache;
import dev.pocmerge.llama.LinearHook;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaTokenizer;
import dev.pocmerge.llama.TokenBatch;
import dev.pocmerge.lora.ChoiceScorer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * {@code bench eval}: generation items/s at batch 1 and batched, decode time per token with the preallocated KV
 * cache against the concatenating one as the context grows, and log-likelihood items/s with the context's cache
 * reused against one forward per (context, choice). Prompts are the evaluation prompt over generated
 * three-choice rows; the log-likelihood items get four choices (ARC-style). Every path is warmed up once and
 * each figure is the best of {@code repeats} runs (the machine may be shared).
 */
public final class EvalBench {
    public record Result(int items, int batch, int newTokens, double batch1ItemsPerS, double batchedItemsPerS,
            double preallocMsPerToken64, double preallocMsPerToken512, double concatMsPerToken512,
            double loglikReuseItemsPerS, double loglikPairwiseItemsPerS, double tokensSavedFraction,
            double promptTokensPerItem) {
        public double batchedSpeedup() {
            return batchedItemsPerS / batch1ItemsPerS;
        }

        public double flatness() {
            return preallocMsPerToken512 / preallocMsPerToken64;
        }

        public double loglikSpeedup() {
            return loglikReuseItemsPerS / loglikPairwiseItemsPerS;
        }
    }

    private EvalBench() {}

    public static Result run(LlamaModel model, LlamaTokenizer tok, List<Integer> eos, int items, int batch,
            int newTokens, int repeats, long seed) {
        List<MiniCommonsense.Row> rows = MiniCommonsense.generate(1, items, seed).test();
        List<long[]> prompts = new ArrayList<>();
        List<ChoiceScorer.Item> mc = new ArrayList<>();
        long promptTokens = 0;
        for (MiniCommonsense.Row r : rows) {
            String p = EvalPrompt.of(r.instruction(), r.input());
            prompts.add(tok.encode(p));
            promptTokens += prompts.get(prompts.size() - 1).length;
            mc.add(new ChoiceScorer.Item(p, List.of("answer1", "answer2", "answer3", "answer4").stream()
                    .map(EvalBackend::answerText).toList()));
        }
        // EOS ignored: every prompt decodes exactly newTokens, so batch sizes are compared on equal work
        GreedyGenerator gen = new GreedyGenerator(model, List.of());
        double one = best(repeats, () -> {
            for (long[] p : prompts) {
                gen.generate(List.of(p), newTokens, true);
            }
            return null;
        });
        double many = best(repeats, () -> {
            for (int from = 0; from < prompts.size(); from += batch) {
                gen.generate(prompts.subList(from, Math.min(prompts.size(), from + batch)), newTokens, true);
            }
            return null;
        });
        double p64 = decodeSeconds(model, 64, newTokens, false, repeats, seed) / newTokens;
        double p512 = decodeSeconds(model, 512, newTokens, false, repeats, seed) / newTokens;
        double c512 = decodeSeconds(model, 512, newTokens, true, repeats, seed) / newTokens;
        ChoiceScorer scorer = new ChoiceScorer(model, tok::encode, batch * 4);
        double[] saved = new double[1];
        double reuse = best(repeats, () -> {
            ChoiceScorer.Scores s = scorer.score(mc, LinearHook.NONE, 1, n -> { });
            saved[0] = (double) s.tokensSaved() / s.tokensPairwise();
            return null;
        });
        double pairwise = best(repeats, () -> scorer.scorePairwise(mc, LinearHook.NONE, 1, n -> { }));
        return new Result(items, batch, newTokens, items / one, items / many, 1e3 * p64, 1e3 * p512, 1e3 * c512,
                items / reuse, items / pairwise, saved[0], (double) promptTokens / items);
    }

    /** Seconds of {@code steps} one-token decode steps after a prompt of {@code context} random ids. */
    static double decodeSeconds(LlamaModel model, int context, int steps, boolean concatenating, int repeats,
            long seed) {
        long[] prompt = new long[context];
        SplittableRandom rng = new SplittableRandom(seed);
        int v = model.config().vocabSize();
        for (int i = 0; i < context; i++) {
            prompt[i] = 3 + rng.nextInt(Math.max(1, v - 3));
        }
        TokenBatch first = TokenBatch.of(prompt);
        double bestS = Double.MAX_VALUE;
        for (int r = 0; r <= repeats; r++) { // r == 0 warms up
            try (NDManager gen = model.weights().manager().newSubManager();
                    KvCache cache = concatenating ? KvCache.concatenating(gen, model.config().numHiddenLayers(),
                            first.pads()) : model.newCache(gen, first, context + steps)) {
                long next = step(model, gen, first, cache);
                long t0 = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    next = step(model, gen, TokenBatch.of(new long[] {next}), cache);
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (r > 0) {
                    bestS = Math.min(bestS, s);
                }
            }
        }
        return bestS;
    }

    private static long step(LlamaModel model, NDManager gen, TokenBatch batch, KvCache cache) {
        try (NDManager sm = gen.newSubManager()) {
            NDArray logits = model.forward(sm, batch, cache, LinearHook.NONE, true);
            return logits.argMax(-1).toLongArray()[0];
        }
    }

    /** Best wall time of {@code repeats} runs after one warm-up run. */
    static double best(int repeats, Supplier<Object> work) {
        work.get();
        double bestS = Double.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            work.get();
            bestS = Math.min(bestS, (System.nanoTime() - t0) / 1e9);
        }
        return bestS;
    }
}
