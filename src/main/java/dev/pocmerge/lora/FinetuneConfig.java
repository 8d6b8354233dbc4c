package dev.pocmerge.lora;

import com.google.gson.JsonObject;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;

/**
 * Everything that determines a LoRA ensemble run (config.json of the run folder). Member m's trajectory is a
 * function of these fields, m and the device only; {@code members} says which of the M members this process
 * trains. Defaults are the paper's (Appendix B.3) and LLM-Adapters' {@code finetune.py}.
 */
public record FinetuneConfig(String model, String data, int ensembleSize, int[] members, int rank, double alpha,
        double dropout, String targets, double lr, double lambda, double weightDecay, int epochs, int batchSize,
        int microBatchSize, int warmupSteps, int maxSteps, double maxGradNorm, int cutoffLen, boolean trainOnInputs,
        int valSetSize, int evalSteps, int saveSteps, int saveTotalLimit, long seed, String baseDtype,
        boolean recompute) {

    public FinetuneConfig {
        members = members.clone();
        check(ensembleSize >= 1, "--M", ensembleSize + ": must be ≥ 1");
        check(rank >= 1, "--rank", rank + ": must be ≥ 1");
        check(alpha > 0 && Double.isFinite(alpha), "--alpha", alpha + ": must be > 0");
        check(dropout >= 0 && dropout < 1, "--dropout", dropout + ": must lie in [0, 1)");
        check(lr > 0 && Double.isFinite(lr), "--lr", lr + ": must be > 0");
        check(lambda >= 0 && Double.isFinite(lambda), "--lambda", lambda + ": must be ≥ 0");
        check(weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay", weightDecay + ": must be ≥ 0");
        check(epochs >= 1, "--epochs", epochs + ": must be ≥ 1");
        check(microBatchSize >= 1, "--micro-batch-size", microBatchSize + ": must be ≥ 1");
        check(batchSize >= microBatchSize && batchSize % microBatchSize == 0, "--batch-size",
                batchSize + ": must be a multiple of --micro-batch-size " + microBatchSize);
        check(warmupSteps >= 0, "--warmup-steps", warmupSteps + ": must be ≥ 0");
        check(maxSteps >= 0, "--max-steps", maxSteps + ": must be ≥ 0 (0 = epochs decide)");
        check(maxGradNorm >= 0 && Double.isFinite(maxGradNorm), "--max-grad-norm", maxGradNorm + ": must be ≥ 0");
        check(cutoffLen >= 2, "--cutoff-len", cutoffLen + ": must be ≥ 2");
        check(valSetSize >= 0, "--val-set-size", valSetSize + ": must be ≥ 0");
        check(evalSteps >= 1, "--eval-steps", evalSteps + ": must be ≥ 1");
        check(saveSteps >= 1, "--save-steps", saveSteps + ": must be ≥ 1");
        check(saveTotalLimit >= 1, "--save-total-limit", saveTotalLimit + ": must be ≥ 1");
        check(baseDtype.equals("f16") || baseDtype.equals("f32"), "--base-dtype", baseDtype + ": f16 or f32");
        for (int m : members) {
            check(m >= 0 && m < ensembleSize, "--members", m + " is outside 0.." + (ensembleSize - 1));
        }
    }

    private static void check(boolean ok, String flag, String msg) {
        if (!ok) {
            throw new PocmergeException(flag + " " + msg);
        }
    }

    public int accumulation() {
        return batchSize / microBatchSize;
    }

    public JsonObject toJson() {
        return Json.PRETTY.toJsonTree(this).getAsJsonObject();
    }

    public static FinetuneConfig fromJson(JsonObject o, String where) {
        try {
            FinetuneConfig c = Json.PRETTY.fromJson(o, FinetuneConfig.class);
            if (c == null || c.model() == null || c.targets() == null || c.members() == null || c.baseDtype() == null) {
                throw new PocmergeException(where + ": not a finetune config (fields missing)");
            }
            return c;
        } catch (RuntimeException e) {
            if (e instanceof PocmergeException p) {
                throw p;
            }
            throw new PocmergeException(where + ": not a finetune config (" + e.getMessage() + ")");
        }
    }

    /** The first field where two configs of the same ensemble differ, ignoring which members each trains. */
    public String firstDifference(FinetuneConfig other) {
        JsonObject a = toJson();
        JsonObject b = other.toJson();
        a.remove("members");
        b.remove("members");
        for (String k : a.keySet()) {
            if (!a.get(k).equals(b.get(k))) {
                return k + " (" + a.get(k) + " vs " + b.get(k) + ")";
            }
        }
        return null;
    }
}
