package dev.pocmerge.cli;

import ai.djl.Device;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.eval.EvalBench;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaTokenizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pocmerge bench eval --model DIR}: the evaluation's speed on one machine (ratios measured in one run). */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluation speed: generation items/s at batch 1 vs batched, decode ms/token with the"
                + " preallocated vs the concatenating KV cache (64 and 512 context), loglik items/s with context"
                + " KV reuse vs one forward per (context, choice) on 4-choice items.")
public final class BenchEvalCommand implements Callable<Integer> {
    @Mixin
    PrintOptions common = new PrintOptions();

    @Option(names = "--model", required = true, description = "HF model folder")
    Path model;

    @Option(names = "--items", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})")
    int items;

    @Option(names = "--batch-size", defaultValue = "16", description = "(default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--new-tokens", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})")
    int newTokens;

    @Option(names = "--repeats", defaultValue = "2", description = "best of N after a warm-up (default: ${DEFAULT-VALUE})")
    int repeats;

    @Override
    public Integer call() {
        OptionChecks.atLeast(1, "--items", items, "--batch-size", batch, "--new-tokens", newTokens, "--repeats",
                repeats);
        dev.pocmerge.core.InputFiles.folder(model, "--model");
        Device device = Devices.resolve(common.device);
        EvalBench.Result r;
        long params;
        try (LlamaTokenizer tok = LlamaTokenizer.load(model); LlamaModel m = LlamaCheckpoint.load(model, device)) {
            params = m.config().parameterCount();
            r = EvalBench.run(m, tok, LlamaCheckpoint.eosIds(model, m.config()), items, batch, newTokens, repeats,
                    common.seed);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", model.toString());
        o.put("parameters", params);
        o.put("device", Devices.describe(device));
        o.put("items", r.items());
        o.put("batch_size", r.batch());
        o.put("new_tokens", r.newTokens());
        o.put("prompt_tokens_per_item", r.promptTokensPerItem());
        o.put("batch1_items_per_s", r.batch1ItemsPerS());
        o.put("batched_items_per_s", r.batchedItemsPerS());
        o.put("batched_speedup", r.batchedSpeedup());
        o.put("decode_prealloc_ms_per_token_64", r.preallocMsPerToken64());
        o.put("decode_prealloc_ms_per_token_512", r.preallocMsPerToken512());
        o.put("decode_concat_ms_per_token_512", r.concatMsPerToken512());
        o.put("decode_prealloc_tokens_per_s_512", 1e3 / r.preallocMsPerToken512());
        o.put("decode_concat_tokens_per_s_512", 1e3 / r.concatMsPerToken512());
        o.put("decode_flatness_512_over_64", r.flatness());
        o.put("loglik_reuse_items_per_s", r.loglikReuseItemsPerS());
        o.put("loglik_pairwise_items_per_s", r.loglikPairwiseItemsPerS());
        o.put("loglik_speedup", r.loglikSpeedup());
        o.put("loglik_tokens_saved_fraction", r.tokensSavedFraction());
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(o));
        } else {
            System.out.printf("model %s (%,d parameters) on %s, %d items, prompts %.0f tokens%n", model, params,
                    Devices.describe(device), r.items(), r.promptTokensPerItem());
            System.out.printf("  generation (greedy, %d new tokens)  batch 1 %8.2f items/s   batch %d %8.2f items/s"
                    + "  (%.1fx)%n", r.newTokens(), r.batch1ItemsPerS(), r.batch(), r.batchedItemsPerS(), r.batchedSpeedup());
            System.out.printf("  decode ms/token, preallocated cache  context 64 %.3f   512 %.3f  (512/64: %.2f)%n",
                    r.preallocMsPerToken64(), r.preallocMsPerToken512(), r.flatness());
            System.out.printf("  decode ms/token, concatenating cache context 512 %.3f%n", r.concatMsPerToken512());
            System.out.printf("  loglik, 4 choices  context reused %8.2f items/s   per pair %8.2f items/s  (%.1fx;"
                    + " %.0f %% of tokens saved)%n", r.loglikReuseItemsPerS(), r.loglikPairwiseItemsPerS(),
                    r.loglikSpeedup(), 100 * r.tokensSavedFraction());
        }
        return 0;
    }
}
