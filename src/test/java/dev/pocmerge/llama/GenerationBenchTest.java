package dev.pocmerge.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.core.PocmergeException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Why the cache wins: with it each new token costs one position through every projection; without it, the
 * whole prefix. Counted through the LinearHook (deterministic), unlike wall-clock time on a shared machine.
 */
class GenerationBenchTest {
    @Test
    void cachedDecodingDoesEightyTimesLessProjectionWork() {
        try (LlamaModel m = TestModels.model(TestModels.gqa(), 2)) {
            long[] prompt = TestModels.randomIds(64, m.config().vocabSize(), 4);
            AtomicLong positions = new AtomicLong();
            LinearHook count = (module, layer, x, y) -> {
                if (module.equals("q_proj") && layer == 0) {
                    positions.addAndGet(x.getShape().get(0) * x.getShape().get(1));
                }
                return y;
            };
            GreedyGenerator g = new GreedyGenerator(m, List.of(), count);
            long[] cached = g.generate(List.of(prompt), 32, true).get(0);
            long withCache = positions.getAndSet(0);
            long[] recomputed = g.generate(List.of(prompt), 32, false).get(0);
            long without = positions.get();
            assertEquals(32, cached.length);
            org.junit.jupiter.api.Assertions.assertArrayEquals(cached, recomputed);
            assertEquals(64 + 31, withCache);                    // prompt once, then one position per token
            assertEquals(32 * 64 + 31 * 32 / 2, without);        // Σ_{i<32} (64 + i)
            double decodeRatio = (without - 64) / 31.0;          // per decode step, excluding the shared prefill
            assertTrue(decodeRatio > 10, "work ratio " + decodeRatio);
        }
    }

    /**
     * What the bench reports is what it ran: its tokens are the greedy tokens of its prompt (one by one and in a
     * left-padded batch with another prompt), every run does exactly the forwards its timings claim (counted
     * through the hook), and each rate is the tokens over the reported best time.
     */
    @Test
    void benchReportsTheWorkItTimedAndTheTokensItMade() {
        int p = 16;
        int n = 4;
        int repeats = 2;
        try (LlamaModel m = TestModels.model(TestModels.gqa(), 2)) {
            AtomicLong positions = new AtomicLong();
            AtomicLong forwards = new AtomicLong();
            LinearHook count = (module, layer, x, y) -> {
                if (module.equals("q_proj") && layer == 0) {
                    positions.addAndGet(x.getShape().get(0) * x.getShape().get(1));
                    forwards.incrementAndGet();
                }
                return y;
            };
            GenerationBench.Result r = GenerationBench.run(m, p, n, repeats, 5, count);
            // per run: cached = prefill (p) + n one-token steps; recompute = the first token from the prompt (p),
            // then n steps over p+1 ... p+n tokens. One warm-up run plus `repeats` timed ones.
            long perRun = (p + n) + p + (long) n * p + n * (n + 1) / 2;
            assertEquals((repeats + 1) * perRun, positions.get());
            assertEquals((repeats + 1) * (1 + n + 1 + n), forwards.get());

            long[] prompt = GenerationBench.prompt(m.config(), p, 5);
            assertEquals(p, prompt.length);
            GreedyGenerator g = new GreedyGenerator(m, List.of());
            assertEquals(n, r.tokens().length);
            assertArrayEquals(g.generate(List.of(prompt), n, true).get(0), r.tokens(), "one by one");
            long[] other = TestModels.randomIds(p - 5, m.config().vocabSize(), 9);
            List<long[]> batched = g.generate(List.of(other, prompt), n, true);
            assertArrayEquals(r.tokens(), batched.get(1), "in a left-padded batch");

            assertEquals(p, r.promptTokens());
            assertEquals(n, r.newTokens());
            for (double t : new double[] {r.prefillSeconds(), r.decodeCacheSeconds(), r.decodeRecomputeSeconds()}) {
                assertTrue(t > 0 && t < 60, "seconds " + t);
            }
            assertEquals(p / r.prefillSeconds(), r.prefillTokensPerS(), 1e-9 * r.prefillTokensPerS());
            assertEquals(n / r.decodeCacheSeconds(), r.decodeCacheTokensPerS(), 1e-9 * r.decodeCacheTokensPerS());
            assertEquals(n / r.decodeRecomputeSeconds(), r.decodeRecomputeTokensPerS(),
                    1e-9 * r.decodeRecomputeTokensPerS());
            assertEquals(r.decodeRecomputeSeconds() / r.decodeCacheSeconds(), r.cacheSpeedup(),
                    1e-9 * r.cacheSpeedup());
        }
    }

    @Test
    void benchRefusesWhatItCannotRun() {
        try (LlamaModel m = TestModels.model(TestModels.small(), 2)) {
            int limit = m.config().maxPositionEmbeddings();
            PocmergeException e = assertThrows(PocmergeException.class,
                    () -> GenerationBench.run(m, limit - 3, 4, 1, 0));
            assertEquals("--prompt-tokens " + (limit - 3) + " + --new-tokens 4 is longer than max_position_embeddings "
                    + limit + " (config.json): lower them", e.getMessage());
            PocmergeException z = assertThrows(PocmergeException.class, () -> GenerationBench.run(m, 4, 2, 0, 0));
            assertTrue(z.getMessage().startsWith("--repeats 0"), z.getMessage());
        }
    }
}
