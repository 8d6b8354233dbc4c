package dev.pocmerge.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void benchReportsAllThreeRates() {
        try (LlamaModel m = TestModels.model(TestModels.small(), 2)) {
            GenerationBench.Result r = GenerationBench.run(m, 16, 4, 1, 0);
            assertTrue(r.prefillTokensPerS() > 0 && r.decodeCacheTokensPerS() > 0
                    && r.decodeRecomputeTokensPerS() > 0, r.toString());
            assertEquals(16, r.promptTokens());
            assertEquals(4, r.newTokens());
        }
    }
}
