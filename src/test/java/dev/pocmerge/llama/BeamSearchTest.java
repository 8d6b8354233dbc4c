package dev.pocmerge.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Beam search against a plain reference written here (each beam recomputed from scratch by a full forward, no
 * cache, no batching, candidates sorted in Java), one beam against greedy decoding, and batched against alone.
 * Three EOS ids, one of them a token the model likes, make hypotheses close, so the closing and stopping
 * rules are exercised, not only the running beams.
 */
class BeamSearchTest {
    static final int MAX = 8;
    static List<Integer> eos;
    static LlamaModel model;

    @BeforeAll
    static void load() {
        model = TestModels.model(TestModels.gqa(), 11);
        // a random model's distributions are flat, so closed hypotheses rarely win: the last token of the best
        // beam of the third prompt (found without EOS) becomes an EOS id beside 2 and 5
        long[] run = new BeamSearch(model, List.of(), LinearHook.NONE).generate(prompts(), 4, MAX).get(2).tokens();
        eos = List.of(2, 5, (int) run[MAX - 1]);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static List<long[]> prompts() {
        int v = model.config().vocabSize();
        return List.of(TestModels.randomIds(3, v, 41), TestModels.randomIds(8, v, 42), TestModels.randomIds(5, v, 43));
    }

    @Test
    void oneBeamIsGreedy() {
        List<long[]> p = prompts();
        List<long[]> greedy = new GreedyGenerator(model, eos).generate(p, 12, true);
        List<BeamSearch.Output> beam = new BeamSearch(model, eos, LinearHook.NONE).generate(p, 1, 12);
        for (int r = 0; r < p.size(); r++) {
            assertArrayEquals(greedy.get(r), beam.get(r).tokens(), "prompt " + r);
        }
    }

    @Test
    void batchedEqualsAloneAndReference() {
        List<long[]> p = prompts();
        int k = 4;
        int max = MAX;
        BeamSearch search = new BeamSearch(model, eos, LinearHook.NONE);
        List<BeamSearch.Output> batched = search.generate(p, k, max);
        int closedAtEos = 0;
        for (int r = 0; r < p.size(); r++) {
            BeamSearch.Output alone = search.generate(List.of(p.get(r)), k, max).get(0);
            assertArrayEquals(alone.tokens(), batched.get(r).tokens(), "prompt " + r + ": batched vs alone");
            Ref ref = reference(p.get(r), k, max);
            assertArrayEquals(ref.tokens, batched.get(r).tokens(), "prompt " + r + ": vs the reference");
            assertEquals(ref.score, batched.get(r).score(), 1e-4, "prompt " + r + " score");
            closedAtEos += batched.get(r).eos() ? 1 : 0;
        }
        assertTrue(closedAtEos > 0, "no prompt ended at an EOS: the closing rule went untested");
    }

    record Ref(long[] tokens, double score) {}

    record Cand(float score, int beam, int token) {}

    /** HF 4.36 beam search, length penalty 1, early_stopping False, written out plainly. */
    static Ref reference(long[] prompt, int k, int max) {
        Set<Integer> stop = Set.copyOf(eos);
        List<long[]> beams = new ArrayList<>();
        float[] scores = new float[k];
        for (int j = 0; j < k; j++) {
            beams.add(new long[0]);
            scores[j] = j == 0 ? 0f : -1e9f;
        }
        List<Ref> closed = new ArrayList<>();
        double worst = 1e9;
        boolean done = false;
        for (int step = 0; step < max && !done; step++) {
            List<Cand> cands = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                long[] seq = concat(prompt, beams.get(j));
                float[][] logits = TestModels.logits(model, TokenBatch.of(seq))[0];
                double[] lp = logSoftmax(logits[seq.length - 1]);
                for (int v = 0; v < lp.length; v++) {
                    cands.add(new Cand((float) (scores[j] + lp[v]), j, v));
                }
            }
            cands.sort(Comparator.comparingDouble((Cand c) -> -c.score()));
            int top = Math.max(2, 1 + stop.size()) * k;
            List<long[]> next = new ArrayList<>();
            float[] nextScores = new float[k];
            for (int rank = 0; rank < top && next.size() < k; rank++) {
                Cand c = cands.get(rank);
                long[] grown = concat(beams.get(c.beam()), new long[] {c.token()});
                if (stop.contains(c.token())) {
                    if (rank < k) {
                        double s = c.score() / (double) (step + 1);
                        if (closed.size() < k || s > worst) {
                            closed.add(new Ref(grown, s));
                            if (closed.size() > k) {
                                closed.remove(closed.stream().min(Comparator.comparingDouble(Ref::score)).get());
                            }
                            worst = closed.stream().mapToDouble(Ref::score).min().getAsDouble();
                        }
                    }
                } else {
                    nextScores[next.size()] = c.score();
                    next.add(grown);
                }
            }
            done = closed.size() >= k && worst >= cands.get(0).score() / (double) (step + 1);
            beams = next;
            scores = nextScores;
        }
        if (!done) {
            for (int j = 0; j < k; j++) {
                double s = scores[j] / (double) beams.get(j).length;
                if (closed.size() < k || s > worst) {
                    closed.add(new Ref(beams.get(j), s));
                    if (closed.size() > k) {
                        closed.remove(closed.stream().min(Comparator.comparingDouble(Ref::score)).get());
                    }
                    worst = closed.stream().mapToDouble(Ref::score).min().getAsDouble();
                }
            }
        }
        return closed.stream().max(Comparator.comparingDouble(Ref::score)).get();
    }

    static double[] logSoftmax(float[] z) {
        double m = Double.NEGATIVE_INFINITY;
        for (float x : z) {
            m = Math.max(m, x);
        }
        double sum = 0;
        for (float x : z) {
            sum += Math.exp(x - m);
        }
        double lse = m + Math.log(sum);
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = z[i] - lse;
        }
        return out;
    }

    static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
