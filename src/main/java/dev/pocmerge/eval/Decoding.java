package dev.pocmerge.eval;

import dev.pocmerge.core.PocmergeException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Generation settings: commonsense_evaluate.py decodes with {@code num_beams=4, max_new_tokens=32} (sampling off,
 * so its temperature/top_p/top_k are inert); {@code beams = 1} is greedy decoding, much faster.
 */
public record Decoding(int beams, int maxNewTokens, AnswerExtraction.Split split) {
    public static final Decoding PAPER = new Decoding(4, 32, AnswerExtraction.Split.FIRST);

    public Decoding {
        if (beams < 1 || beams > 64) {
            throw new PocmergeException("--beams " + beams + ": use 1 (greedy) to 64");
        }
        if (maxNewTokens < 1) {
            throw new PocmergeException("--max-new-tokens " + maxNewTokens + " must be >= 1");
        }
    }

    public String method() {
        return beams == 1 ? "greedy" : "beam search";
    }

    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method());
        m.put("num_beams", beams);
        m.put("max_new_tokens", maxNewTokens);
        m.put("length_penalty", 1.0);
        m.put("early_stopping", false);
        m.put("response_split", split == AnswerExtraction.Split.FIRST ? "llm-adapters (after the first '### Response:')"
                : "dora (after the last '### Response:')");
        return m;
    }
}
