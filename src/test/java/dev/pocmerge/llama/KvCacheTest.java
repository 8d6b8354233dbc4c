package dev.pocmerge.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Incremental decoding, causality and left padding: each must reproduce the plain full forward. */
class KvCacheTest {
    static final double EXACT = 1e-5;
    static LlamaModel model;

    @BeforeAll
    static void load() {
        model = TestModels.model(TestModels.gqa(), 11);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void cachedLogitsEqualFullRecompute() {
        long[] ids = TestModels.randomIds(12, model.config().vocabSize(), 3);
        float[][] full = TestModels.logits(model, TokenBatch.of(ids))[0];
        // prefill 5, then 1, 1, a chunk of 3, then 1, 1
        int[] chunks = {5, 1, 1, 3, 1, 1};
        double max = 0;
        try (NDManager gen = model.weights().manager().newSubManager();
                KvCache cache = model.newCache(gen, TokenBatch.of(ids))) {
            int at = 0;
            for (int n : chunks) {
                long[] part = Arrays.copyOfRange(ids, at, at + n);
                float[][] got;
                try (NDManager step = gen.newSubManager()) {
                    got = TestModels.unpack(model.forward(step, TokenBatch.of(part), cache, LinearHook.NONE,
                            false))[0];
                }
                max = Math.max(max, TestModels.maxAbsDiff(got, Arrays.copyOfRange(full, at, at + n)));
                at += n;
                assertEquals(at, cache.length());
            }
        }
        System.out.printf("KV cache vs full recompute: max |Δlogit| = %.3g%n", max);
        assertTrue(max < EXACT, "cache vs recompute " + max);
    }

    @Test
    void laterTokensDoNotChangeEarlierLogits() {
        int v = model.config().vocabSize();
        long[] a = TestModels.randomIds(10, v, 5);
        long[] b = a.clone();
        int t = 4;
        for (int i = t + 1; i < b.length; i++) {
            b[i] = (b[i] + 1 + i) % v;
        }
        float[][] la = TestModels.logits(model, TokenBatch.of(a))[0];
        float[][] lb = TestModels.logits(model, TokenBatch.of(b))[0];
        double before = TestModels.maxAbsDiff(Arrays.copyOf(la, t + 1), Arrays.copyOf(lb, t + 1));
        double after = TestModels.maxAbsDiff(Arrays.copyOfRange(la, t + 1, 10), Arrays.copyOfRange(lb, t + 1, 10));
        assertTrue(before < EXACT, "logits at <= t changed: " + before);
        assertTrue(after > 1e-2, "logits after t should change (else the test proves nothing): " + after);
    }

    @Test
    void leftPaddedRowsMatchUnpaddedLogits() {
        int v = model.config().vocabSize();
        List<long[]> prompts = List.of(TestModels.randomIds(3, v, 7), TestModels.randomIds(9, v, 8),
                TestModels.randomIds(6, v, 9));
        TokenBatch batch = TokenBatch.leftPadded(prompts, 0);
        float[][][] padded = TestModels.logits(model, batch);
        for (int r = 0; r < prompts.size(); r++) {
            float[][] alone = TestModels.logits(model, TokenBatch.of(prompts.get(r)))[0];
            float[][] real = Arrays.copyOfRange(padded[r], batch.pads()[r], batch.length());
            double d = TestModels.maxAbsDiff(real, alone);
            assertTrue(d < EXACT, "row " + r + " differs from its unpadded forward by " + d);
        }
    }

    @Test
    void leftPaddedBatchGeneratesWhatEachPromptGeneratesAlone() {
        int v = model.config().vocabSize();
        List<long[]> prompts = List.of(TestModels.randomIds(2, v, 21), TestModels.randomIds(7, v, 22),
                TestModels.randomIds(4, v, 23), TestModels.randomIds(7, v, 24));
        GreedyGenerator g = new GreedyGenerator(model, List.of(2));
        List<long[]> batched = g.generate(prompts, 10, true);
        List<long[]> recomputed = g.generate(prompts, 10, false);
        boolean anyVaried = false;
        for (int r = 0; r < prompts.size(); r++) {
            long[] alone = g.generate(List.of(prompts.get(r)), 10, true).get(0);
            assertArrayEquals(alone, batched.get(r), "row " + r + " batched vs alone");
            assertArrayEquals(alone, recomputed.get(r), "row " + r + " cache vs recompute");
            anyVaried |= Arrays.stream(alone).distinct().count() > 1;
        }
        assertTrue(anyVaried, "all generations constant: the comparison would prove little");
    }

    @Test
    void generationStopsPerRowAtAnyEosId() {
        long[] prompt = TestModels.randomIds(5, model.config().vocabSize(), 31);
        GreedyGenerator free = new GreedyGenerator(model, List.of());
        long[] run = free.generate(List.of(prompt), 8, true).get(0);
        assertEquals(8, run.length);
        // declare the 3rd generated token an EOS id (among others): the row must stop right after it
        GreedyGenerator stop = new GreedyGenerator(model, List.of(9999, (int) run[2]));
        int firstHit = 0;
        while (run[firstHit] != run[2]) {
            firstHit++;
        }
        long[] stopped = stop.generate(List.of(prompt, prompt), 8, true).get(1);
        assertArrayEquals(Arrays.copyOf(run, firstHit + 1), stopped);
    }
}
