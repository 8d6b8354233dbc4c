package dev.pocmerge.cli;

import ai.djl.Device;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.llama.GenerationBench;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pocmerge bench generate --model DIR}: prefill, cached decode and recomputed decode throughput. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Greedy decoding speed with and without the KV cache (64-token prompt, 32 new tokens).")
public final class BenchGenerateCommand implements Callable<Integer> {
    @Mixin
    PrintOptions common = new PrintOptions();

    @Option(names = "--model", required = true, description = "HF model folder")
    Path model;

    @Option(names = "--prompt-tokens", defaultValue = "64", description = "(default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--new-tokens", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})")
    int newTokens;

    @Option(names = "--repeats", defaultValue = "3", description = "best of N after a warm-up (default: ${DEFAULT-VALUE})")
    int repeats;

    @Override
    public Integer call() {
        OptionChecks.atLeast(1, "--prompt-tokens", promptTokens, "--new-tokens", newTokens, "--repeats", repeats);
        dev.pocmerge.core.InputFiles.folder(model, "--model");
        Device device = Devices.resolve(common.device);
        GenerationBench.Result r;
        long params;
        try (LlamaModel m = LlamaCheckpoint.load(model, device)) {
            params = m.config().parameterCount();
            r = GenerationBench.run(m, promptTokens, newTokens, repeats, common.seed);
        }
        if (common.json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", model.toString());
            o.put("parameters", params);
            o.put("device", Devices.describe(device));
            o.put("prompt_tokens", r.promptTokens());
            o.put("new_tokens", r.newTokens());
            o.put("prefill_tokens_per_s", r.prefillTokensPerS());
            o.put("decode_cache_tokens_per_s", r.decodeCacheTokensPerS());
            o.put("decode_recompute_tokens_per_s", r.decodeRecomputeTokensPerS());
            o.put("cache_speedup", r.cacheSpeedup());
            o.put("prefill_s", r.prefillSeconds());
            o.put("decode_cache_s", r.decodeCacheSeconds());
            o.put("decode_recompute_s", r.decodeRecomputeSeconds());
            System.out.println(Json.COMPACT.toJson(o));
        } else {
            System.out.printf("model %s (%,d parameters) on %s, prompt %d tokens, %d new tokens%n", model, params,
                    Devices.describe(device), r.promptTokens(), r.newTokens());
            System.out.printf("  prefill            %12.1f tokens/s%n", r.prefillTokensPerS());
            System.out.printf("  decode, KV cache   %12.1f tokens/s%n", r.decodeCacheTokensPerS());
            System.out.printf("  decode, recompute  %12.1f tokens/s%n", r.decodeRecomputeTokensPerS());
        }
        System.err.printf("KV cache speedup: %.1fx (cache / recompute decode tokens/s)%n", r.cacheSpeedup());
        return 0;
    }
}
