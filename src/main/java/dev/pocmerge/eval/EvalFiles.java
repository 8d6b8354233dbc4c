package dev.pocmerge.eval;

import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The files an evaluation writes, each to a temp name moved into place. */
public final class EvalFiles {
    private EvalFiles() {}

    /** {@code predictions-<task>.jsonl}: one compact JSON object per item, in test.json order. */
    public static void predictions(Path dir, CommonsenseTask task, List<ItemResult> items) {
        StringBuilder sb = new StringBuilder();
        for (ItemResult r : items) {
            sb.append(Json.COMPACT.toJson(r.toJson())).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("predictions-" + task.folder() + ".jsonl"), sb.toString());
    }

    /** A set's entry in results.json: its accuracy fields, then what the pass cost. */
    public static Map<String, Object> taskEntry(TaskResult r, EvalRunner.TaskRun run, Protocol protocol) {
        Map<String, Object> m = new LinkedHashMap<>(r.toJson());
        m.put("seconds", run.seconds());
        m.put("items_per_s", run.itemsPerSecond());
        if (protocol == Protocol.LOGLIK) {
            m.putAll(tokens(run));
        }
        return m;
    }

    /** KV reuse: tokens run with the context computed once per item vs one forward per (context, choice). */
    public static Map<String, Object> tokens(EvalRunner.TaskRun run) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tokens_forwarded", run.tokensForwarded());
        m.put("tokens_pairwise", run.tokensPairwise());
        m.put("tokens_saved", run.tokensPairwise() - run.tokensForwarded());
        m.put("tokens_saved_fraction", run.tokensPairwise() == 0 ? 0.0
                : (double) (run.tokensPairwise() - run.tokensForwarded()) / run.tokensPairwise());
        return m;
    }

    /** How the protocol was run, for results.json. */
    public static Map<String, Object> settings(Protocol protocol, Decoding decoding, int batchSize, int limit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocol", protocol.key());
        if (protocol == Protocol.GENERATION) {
            m.put("prompt", "LLM-Adapters commonsense_evaluate.py generate_prompt");
            m.put("decoding", decoding.describe());
        } else {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("choices", "the correct answer is <label>, per label of the row's 'Answer format' line");
            s.put("tokenisation", "lm-eval _encode_pair (context's trailing whitespace moved to the continuation)");
            s.put("acc", "argmax of summed log-probabilities");
            s.put("acc_norm", "argmax of log-probability per character of the choice text");
            s.put("context_kv_reuse", true);
            m.put("loglik", s);
        }
        m.put("batch_size", batchSize);
        m.put("limit", limit > 0 ? limit : null);
        return m;
    }

    /** A folder name for a variant ("PoC merge" → "poc-merge"). */
    public static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "variant" : s;
    }
}
