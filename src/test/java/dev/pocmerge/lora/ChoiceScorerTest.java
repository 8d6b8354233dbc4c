package dev.pocmerge.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import dev.pocmerge.eval.StackedAdapters;
import dev.pocmerge.llama.LinearHook;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.TestModels;
import dev.pocmerge.llama.TokenBatch;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cached-context choice scoring against a full forward per (context, choice) pair, and that against log-softmax
 * of plain logits; M stacked adapters in one pass against each adapter alone.
 */
class ChoiceScorerTest {
    static LlamaModel model;
    static int vocab;

    /** One id per character (BOS first), so the split is easy to check by hand. */
    static final Function<String, long[]> CHARS = s -> {
        long[] ids = new long[s.length() + 1];
        ids[0] = 1;
        for (int i = 0; i < s.length(); i++) {
            ids[i + 1] = 3 + s.charAt(i) % (vocab - 3);
        }
        return ids;
    };

    static final List<ChoiceScorer.Item> ITEMS = List.of(
            new ChoiceScorer.Item("Q: which?\n   ", List.of("answer1", "answer2", "answer3")),
            new ChoiceScorer.Item("A much longer context, long enough to need padding: ", List.of("true", "false")),
            new ChoiceScorer.Item("short", List.of(" a", " bb", " ccc", " dddd")));

    @BeforeAll
    static void load() {
        model = TestModels.model(TestModels.gqa(), 5);
        vocab = model.config().vocabSize();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void trailingWhitespaceMovesToTheContinuation() {
        ChoiceScorer.Encoded e = ChoiceScorer.encode(CHARS, ITEMS.get(0));
        assertArrayEquals(CHARS.apply("Q: which?"), e.context());
        long[] whole = CHARS.apply("Q: which?\n   answer2");
        assertArrayEquals(Arrays.copyOfRange(whole, e.context().length, whole.length), e.continuations()[1]);
        assertEquals(4 + 7, e.continuations()[1].length, "\\n, three spaces and 'answer2'");
    }

    @Test
    void cachedContextEqualsPairwiseAndPlainLogits() {
        ChoiceScorer scorer = new ChoiceScorer(model, CHARS, 5); // 5 rows: items split over batches
        ChoiceScorer.Scores cached = scorer.score(ITEMS, LinearHook.NONE, 1, n -> { });
        ChoiceScorer.Scores pairs = scorer.scorePairwise(ITEMS, LinearHook.NONE, 1, n -> { });
        double max = maxDiff(cached.loglik()[0], pairs.loglik()[0]);
        System.out.printf("cached vs pairwise choice log-likelihoods: max |diff| = %.3g%n", max);
        assertTrue(max < 1e-4, "cached vs pairwise " + max);
        // the pairwise path against log_softmax of the plain logits of context + continuation
        for (int i = 0; i < ITEMS.size(); i++) {
            ChoiceScorer.Encoded e = ChoiceScorer.encode(CHARS, ITEMS.get(i));
            for (int c = 0; c < e.continuations().length; c++) {
                double plain = plain(e.context(), e.continuations()[c]);
                assertEquals(plain, pairs.loglik()[0][i][c], 1e-4, "item " + i + " choice " + c);
            }
        }
        long ctx = 0;
        long conts = 0;
        long pairTokens = 0;
        for (ChoiceScorer.Item it : ITEMS) {
            ChoiceScorer.Encoded e = ChoiceScorer.encode(CHARS, it);
            ctx += e.context().length;
            for (long[] c : e.continuations()) {
                conts += c.length - 1;
                pairTokens += e.context().length + c.length - 1;
            }
        }
        assertEquals(ctx + conts, cached.tokensForwarded());
        assertEquals(pairTokens, cached.tokensPairwise());
        assertTrue(cached.tokensSaved() > 0);
    }

    @Test
    void stackedAdaptersInOnePassEqualEachAlone() {
        List<LoraAdapter> singles = List.of(
                TestAdapters.random(model.config(), List.of("q_proj", "v_proj", "down_proj"), 4, 8, 1),
                TestAdapters.random(model.config(), List.of("q_proj", "v_proj", "down_proj"), 4, 8, 2));
        ChoiceScorer scorer = new ChoiceScorer(model, CHARS, 16);
        double[][][] together;
        try (LoraEnsemble ens = StackedAdapters.of(model.weights().manager(), singles, DataType.FLOAT32).orElseThrow()) {
            together = scorer.score(ITEMS, ens.evalHook(), 2, n -> { }).loglik();
        }
        for (int m = 0; m < singles.size(); m++) {
            try (AdapterHook h = AdapterHook.sum(model.weights().manager(), List.of(singles.get(m)), DataType.FLOAT32)) {
                double[][] alone = scorer.scorePairwise(ITEMS, h, 1, n -> { }).loglik()[0];
                double d = maxDiff(together[m], alone);
                assertTrue(d < 1e-4, "member " + m + ": stacked cached vs alone pairwise " + d);
            }
        }
        assertTrue(maxDiff(together[0], together[1]) > 1e-3, "the two adapters should score differently");
    }

    /** Σ_j log softmax(logits[ctx + j − 1])[cont_j] from one plain forward of context + continuation. */
    static double plain(long[] ctx, long[] cont) {
        long[] whole = Arrays.copyOf(ctx, ctx.length + cont.length);
        System.arraycopy(cont, 0, whole, ctx.length, cont.length);
        float[][] logits = TestModels.logits(model, TokenBatch.of(whole))[0];
        double sum = 0;
        for (int j = 0; j < cont.length; j++) {
            float[] z = logits[ctx.length + j - 1];
            double m = Double.NEGATIVE_INFINITY;
            for (float x : z) {
                m = Math.max(m, x);
            }
            double s = 0;
            for (float x : z) {
                s += Math.exp(x - m);
            }
            sum += z[(int) cont[j]] - m - Math.log(s);
        }
        return sum;
    }

    static double maxDiff(double[][] a, double[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return m;
    }
}
