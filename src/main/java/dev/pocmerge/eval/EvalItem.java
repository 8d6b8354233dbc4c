package dev.pocmerge.eval;

import java.util.List;

/**
 * One test row: its position in test.json ({@code index}, from 0 as Python's list index), the instruction and
 * optional input the prompt is built from, the gold label ({@code answer}) and the labels it may be answered
 * with ({@code choices}, for log-likelihood scoring).
 */
public record EvalItem(int index, String instruction, String input, String answer, List<String> choices) {
    public EvalItem {
        choices = List.copyOf(choices);
    }

    /** The gold label's position among the choices. */
    public int goldChoice() {
        return choices.indexOf(answer);
    }
}
