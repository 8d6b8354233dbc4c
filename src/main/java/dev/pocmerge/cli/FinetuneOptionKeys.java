package dev.pocmerge.cli;

import java.util.Map;

/** Which config.json field each finetune option sets (for checking a --resume against the saved run). */
final class FinetuneOptionKeys {
    private static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("--model", "model"), Map.entry("--data", "data"), Map.entry("--M", "ensembleSize"),
            Map.entry("--members", "members"), Map.entry("--rank", "rank"), Map.entry("--alpha", "alpha"),
            Map.entry("--dropout", "dropout"), Map.entry("--targets", "targets"), Map.entry("--lr", "lr"),
            Map.entry("--lambda", "lambda"), Map.entry("--weight-decay", "weightDecay"),
            Map.entry("--epochs", "epochs"), Map.entry("--batch-size", "batchSize"),
            Map.entry("--micro-batch-size", "microBatchSize"), Map.entry("--warmup-steps", "warmupSteps"),
            Map.entry("--max-steps", "maxSteps"), Map.entry("--max-grad-norm", "maxGradNorm"),
            Map.entry("--cutoff-len", "cutoffLen"), Map.entry("--mask-prompt", "trainOnInputs"),
            Map.entry("--val-set-size", "valSetSize"), Map.entry("--eval-steps", "evalSteps"),
            Map.entry("--save-steps", "saveSteps"), Map.entry("--save-total-limit", "saveTotalLimit"),
            Map.entry("--seed", "seed"), Map.entry("--base-dtype", "baseDtype"), Map.entry("--recompute", "recompute"));

    private FinetuneOptionKeys() {}

    /** The field, or null for options that do not change the run (--device, --json, --out, --resume). */
    static String key(String option) {
        return KEYS.get(option);
    }
}
