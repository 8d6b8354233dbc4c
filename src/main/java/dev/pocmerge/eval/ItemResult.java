package dev.pocmerge.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scored item. Generation: {@code output} is the response text (the decoded sequence after "### Response:",
 * stripped: what LLM-Adapters saves as {@code output_pred}) and {@code extracted} the label found in it ("" if
 * none). Log-likelihood: {@code loglik} per choice, {@code extracted} the argmax label and {@code correctNorm}
 * whether the per-character argmax (lm-eval's acc_norm) is gold; {@code output} is null.
 */
public record ItemResult(int index, String promptHash, String output, String extracted, String gold, boolean correct,
        List<String> choices, double[] loglik, Boolean correctNorm) {

    public boolean unparsable() {
        return extracted.isEmpty();
    }

    /** The predictions-file row. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("prompt_hash", promptHash);
        if (output != null) {
            m.put("output", output);
        }
        if (loglik != null) {
            m.put("choices", choices);
            m.put("loglik", loglik);
        }
        m.put("extracted", extracted);
        m.put("gold", gold);
        m.put("correct", correct);
        if (correctNorm != null) {
            m.put("correct_norm", correctNorm);
        }
        return m;
    }
}
