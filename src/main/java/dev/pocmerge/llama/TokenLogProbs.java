package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Tensors;

/**
 * Log-probabilities of chosen tokens at chosen positions: the rows of final-norm outputs that predict them are
 * gathered first and only those go through lm_head, so a scoring pass costs N·hidden·vocab for N scored tokens
 * instead of rows·T·hidden·vocab, and never holds (rows, T, vocab) logits.
 */
public final class TokenLogProbs {
    private TokenLogProbs() {}

    /** Rows {@code flatIndex} of {@code hidden} (rows, T, H) flattened to (rows·T, H): (N, H). */
    public static NDArray rows(NDArray hidden, long[] flatIndex) {
        Shape s = hidden.getShape();
        NDManager m = hidden.getManager();
        NDArray flat = hidden.reshape(s.get(0) * s.get(1), s.get(2));
        return flat.get(new NDIndex("{}", Tensors.ofLongs(m, flatIndex, new Shape(flatIndex.length))));
    }

    /** (N) float32 {@code log softmax(lm_head(h_i))[target_i]} for final-norm rows h (N, hidden). */
    public static NDArray of(LlamaModel model, NDArray normedRows, long[] targets) {
        NDManager m = normedRows.getManager();
        NDArray logits = model.logits(normedRows);
        if (logits.getDataType() != DataType.FLOAT32 && logits.getDataType() != DataType.FLOAT64) {
            logits = logits.toType(DataType.FLOAT32, false);
        }
        NDArray idx = Tensors.ofLongs(m, targets, new Shape(targets.length, 1));
        return logits.logSoftmax(-1).gather(idx, 1).reshape(targets.length);
    }
}
