package dev.pocmerge.data;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.lora.TrainExample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * LLM-Adapters {@code finetune.py}'s {@code tokenize()} and {@code generate_and_tokenize_prompt()} over our
 * tokenizer. The encoder returns the ids Hugging Face's tokenizer call would (BOS first, as
 * {@code LlamaTokenizer::encode} does per tokenizer_config.json); {@code truncation=True, max_length=cutoffLen}
 * then keeps the first {@code cutoffLen} of them, BOS counted, which is what HF does for a tokenizer that adds
 * only a leading special token.
 */
public final class TrainTokenization {
    /** Rows tokenized, with what the cutoff did to them (finetune.py drops nothing, and neither do we). */
    public record Result(List<TrainExample> examples, int truncated, int withoutEos, int withoutTargets) {}

    private TrainTokenization() {}

    public static TrainExample tokenize(Instruction row, Function<String, long[]> encoder, long eosId, int cutoffLen,
            boolean trainOnInputs) {
        checkCutoff(cutoffLen);
        return build(row, encoder.apply(TrainPrompt.full(row)), encoder, eosId, cutoffLen, trainOnInputs);
    }

    private static TrainExample build(Instruction row, long[] fullIds, Function<String, long[]> encoder, long eosId,
            int cutoffLen, boolean trainOnInputs) {
        long[] ids = truncate(fullIds, eosId, cutoffLen, true);
        long[] labels = ids.clone();
        if (!trainOnInputs) {
            int userLen = truncate(encoder.apply(TrainPrompt.user(row)), eosId, cutoffLen, false).length;
            // Python's [-100] * user_prompt_len + labels[user_prompt_len:] would outgrow ids if the user prompt
            // tokenized longer than the full one; it cannot after truncation to the same cutoff, but clamp anyway
            Arrays.fill(labels, 0, Math.min(userLen, labels.length), TrainExample.IGNORE);
        }
        return new TrainExample(ids, labels);
    }

    /**
     * Every row, in order. A row is counted as truncated when its full prompt encoded to more than
     * {@code cutoffLen} ids. Rows left with no target token (prompt masked and the response cut off) are kept, as
     * finetune.py keeps them, but if no row has a target at all the run could not learn anything: an error.
     */
    public static Result tokenizeAll(List<Instruction> rows, Function<String, long[]> encoder, long eosId,
            int cutoffLen, boolean trainOnInputs) {
        checkCutoff(cutoffLen);
        List<TrainExample> out = new ArrayList<>(rows.size());
        int truncated = 0;
        int withoutEos = 0;
        int withoutTargets = 0;
        for (Instruction row : rows) {
            long[] fullIds = encoder.apply(TrainPrompt.full(row));
            if (fullIds.length > cutoffLen) {
                truncated++;
            }
            TrainExample ex = build(row, fullIds, encoder, eosId, cutoffLen, trainOnInputs);
            long[] ids = ex.ids();
            if (ids.length == 0 || ids[ids.length - 1] != eosId) {
                withoutEos++;
            }
            if (ex.targetCount() == 0) {
                withoutTargets++;
            }
            out.add(ex);
        }
        if (!rows.isEmpty() && withoutTargets == rows.size()) {
            throw new PocmergeException("empty data set after --cutoff-len " + cutoffLen + ": no row keeps a token to"
                    + " train on" + (trainOnInputs ? "" : " (the prompt is masked and every response was cut off)")
                    + "; raise --cutoff-len" + (trainOnInputs ? "" : " or train on inputs"));
        }
        return new Result(List.copyOf(out), truncated, withoutEos, withoutTargets);
    }

    /** finetune.py's {@code tokenize(prompt, add_eos_token)} after the tokenizer call produced {@code all}. */
    private static long[] truncate(long[] all, long eosId, int cutoffLen, boolean addEosToken) {
        long[] ids = all.length > cutoffLen ? Arrays.copyOf(all, cutoffLen) : all.clone();
        boolean endsInEos = ids.length > 0 && ids[ids.length - 1] == eosId;
        if (!endsInEos && ids.length < cutoffLen && addEosToken) {
            ids = Arrays.copyOf(ids, ids.length + 1);
            ids[ids.length - 1] = eosId;
        }
        return ids;
    }

    private static void checkCutoff(int cutoffLen) {
        if (cutoffLen < 2) {
            throw new PocmergeException("--cutoff-len " + cutoffLen + " must be at least 2 (BOS and one token)");
        }
    }
}
