package dev.pocmerge.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pocmerge.core.PocmergeException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What a user can feed the model by mistake (a prompt past max_position_embeddings, a tokenizer of another
 * model, an empty prompt) is a one-line PocmergeException naming the length and the limit, or the id and the
 * vocabulary; a sequence of exactly max_position_embeddings still runs.
 */
class ModelInputErrorsTest {
    static LlamaModel model; // TestModels configs: max_position_embeddings 256, vocab 61

    @BeforeAll
    static void load() {
        model = TestModels.model(TestModels.small(), 4);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static void refused(String message, Executable e) {
        PocmergeException x = assertThrows(PocmergeException.class, e);
        assertEquals(message, x.getMessage());
    }

    @Test
    void sequencesPastMaxPositionEmbeddings() {
        assertEquals(256, model.config().maxPositionEmbeddings());
        long[] full = TestModels.randomIds(256, 61, 1);
        assertEquals(256, TestModels.logits(model, TokenBatch.of(full))[0].length, "exactly the limit runs");
        long[] over = TestModels.randomIds(257, 61, 1);
        refused("a sequence of 257 tokens is longer than max_position_embeddings 256 (config.json): use a shorter "
                + "prompt", () -> TestModels.logits(model, TokenBatch.of(over)));
        // left padding does not count: 257 columns, but the longest row has 256 real tokens
        TokenBatch padded = new TokenBatch(new long[][] {over, over}, new int[] {1, 3});
        assertEquals(257, TestModels.logits(model, padded)[0].length);

        GreedyGenerator greedy = new GreedyGenerator(model, List.of());
        BeamSearch beams = new BeamSearch(model, List.of(), LinearHook.NONE);
        long[] prompt = TestModels.randomIds(250, 61, 2);
        assertEquals(6, greedy.generate(List.of(prompt), 6, true).get(0).length, "250 + 6 = 256 runs");
        for (Executable e : new Executable[] {() -> greedy.generate(List.of(prompt), 7, true),
                () -> greedy.generate(List.of(prompt), 7, false), () -> beams.generate(List.of(prompt), 2, 7)}) {
            refused("a prompt of 250 tokens + 7 new tokens is longer than max_position_embeddings 256 (config.json): "
                    + "shorten the prompt or lower --max-new-tokens", e);
        }
        refused("a prompt of 257 tokens is longer than max_position_embeddings 256 (config.json): shorten the prompt",
                () -> greedy.generate(List.of(prompt, over), 1, true));
    }

    @Test
    void idsOutsideTheVocabulary() {
        for (long id : new long[] {61, -1, 1L << 40}) {
            refused("token id " + id + " is outside the model's vocabulary (vocab_size 61 in config.json): the "
                    + "tokenizer does not belong to this model", () -> TestModels.logits(model,
                            TokenBatch.of(new long[] {1, 5, id})));
        }
        assertEquals(61, TestModels.logits(model, TokenBatch.of(new long[] {0, 60}))[0][1].length);
    }

    @Test
    void emptyPrompts() {
        refused("prompt 2 of 3 encodes to no tokens: give a non-empty prompt",
                () -> TokenBatch.leftPadded(List.of(new long[] {1}, new long[0], new long[] {2}), 0));
        refused("a prompt encodes to no tokens: give a non-empty prompt", () -> TokenBatch.of(new long[0]));
        // a caller's mistake stays a programming error
        assertThrows(IllegalArgumentException.class, () -> new TokenBatch(new long[][] {{1}}, new int[2]));
    }
}
