package dev.pocmerge.eval;

import dev.pocmerge.lora.ChoiceScorer;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * What the protocols need from a model, for {@link #slots()} variants at once (slot s is the s-th variant of
 * the group, e.g. the s-th of M stacked adapters). {@code progress} is told how many items each batch finished.
 */
public interface EvalBackend {
    int slots();

    /** decoded[slot][item]: the whole decoded sequence, prompt included, special tokens skipped. */
    String[][] generate(List<EvalItem> items, Decoding decoding, IntConsumer progress);

    /** Log-likelihood of each item's choices in the fine-tuned answer form, [slot][item][choice]. */
    ChoiceScorer.Scores loglik(List<EvalItem> items, IntConsumer progress);

    /** The continuation a choice label is scored as: the fine-tuned output form. */
    static String answerText(String label) {
        return "the correct answer is " + label;
    }
}
