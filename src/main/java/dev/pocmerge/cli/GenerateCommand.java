package dev.pocmerge.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.InputFiles;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.io.PeftFiles;
import dev.pocmerge.llama.GreedyGenerator;
import dev.pocmerge.llama.LinearHook;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.lora.AdapterHook;
import dev.pocmerge.lora.LoraAdapter;
import java.util.ArrayList;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaTokenizer;
import dev.pocmerge.llama.TokenBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pocmerge generate --model DIR --prompt TEXT}: greedy continuation, or the prompt's logits. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Greedy generation from a Hugging Face Llama folder (KV cache).")
public final class GenerateCommand implements Callable<Integer> {
    @Mixin
    PrintOptions common = new PrintOptions();

    @Option(names = "--model", required = true, description = "HF model folder")
    Path model;

    @Option(names = "--prompt", required = true, description = "prompt text")
    String prompt;

    @Option(names = "--max-new-tokens", description = "(default: 32; not with --dump-logits)")
    Integer maxNewTokensOption;

    @Option(names = "--adapter", arity = "1..*", description = "PEFT LoRA adapter folder(s), applied through the"
            + " projections' hook (several are summed, as PEFT does with several active adapters)")
    List<Path> adapters = List.of();

    @Option(names = "--dump-logits", description = "write {\"tokens\", \"logits\"} of the prompt's forward pass to"
            + " FILE (JSON) instead of generating")
    Path dumpLogits;

    @Override
    public Integer call() {
        if (dumpLogits != null && maxNewTokensOption != null) {
            throw new PocmergeException("--max-new-tokens " + maxNewTokensOption + " does nothing with --dump-logits"
                    + " (it writes the prompt's logits and generates nothing): drop one of them");
        }
        int maxNewTokens = maxNewTokensOption != null ? maxNewTokensOption : 32;
        if (maxNewTokens < 0) {
            throw new PocmergeException("--max-new-tokens " + maxNewTokens + ": must be >= 0");
        }
        if (dumpLogits != null && Files.isDirectory(dumpLogits)) {
            throw new PocmergeException("--dump-logits " + dumpLogits + ": is a folder; give a file name");
        }
        InputFiles.folder(model, "--model");
        for (Path a : adapters) {
            InputFiles.folder(a, "--adapter");
        }
        Device device = Devices.resolve(common.device);
        LlamaCheckpoint.config(model); // a missing folder or a bad config.json is reported first
        LlamaConfig config = LlamaCheckpoint.config(model);
        List<LoraAdapter> loaded = new ArrayList<>();
        for (Path a : adapters) { // a bad adapter is reported before the weights load
            LoraAdapter ad = PeftFiles.read(a);
            PeftFiles.checkFits(ad, config, a);
            loaded.add(ad);
        }
        try (LlamaTokenizer tok = LlamaTokenizer.load(model); LlamaModel m = LlamaCheckpoint.load(model, device);
                AdapterHook hook = AdapterHook.sum(m.weights().manager(), loaded, m.weights().activationType())) {
            long[] ids = tok.encode(prompt);
            if (ids.length == 0) {
                throw new PocmergeException("--prompt: encodes to no tokens");
            }
            for (long id : ids) {
                if (id >= m.config().vocabSize()) {
                    throw new PocmergeException(model + ": tokenizer id " + id + " >= vocab_size "
                            + m.config().vocabSize() + " of config.json");
                }
            }
            // prompt (+ --max-new-tokens) past max_position_embeddings: LlamaConfig.checkLength, in the generators
            if (dumpLogits != null) {
                return dump(m, ids, hook);
            }
            List<Integer> eos = LlamaCheckpoint.eosIds(model, m.config());
            long[] out = new GreedyGenerator(m, eos, hook).generate(List.of(ids), maxNewTokens, true).get(0);
            String text = tok.decode(out);
            boolean stoppedAtEos = out.length > 0 && eos.contains((int) out[out.length - 1]);
            if (common.json) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("model", model.toString());
                r.put("device", Devices.describe(device));
                r.put("adapters", adapters.stream().map(Path::toString).toList());
                r.put("prompt", prompt);
                r.put("prompt_tokens", ids);
                r.put("new_tokens", out);
                r.put("text", text);
                r.put("stop", stoppedAtEos ? "eos" : "length");
                System.out.println(Json.COMPACT.toJson(r));
            } else {
                System.out.println(prompt + text);
            }
        }
        return 0;
    }

    private int dump(LlamaModel m, long[] ids, LinearHook hook) {
        float[] flat;
        int v = m.config().vocabSize();
        try (NDManager step = m.weights().manager().newSubManager()) {
            NDArray logits = m.forward(step, TokenBatch.of(ids), null, hook, false);
            flat = logits.toFloatArray();
        }
        float[][] rows = new float[ids.length][v];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(flat, i * v, rows[i], 0, v);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("tokens", ids);
        r.put("logits", rows);
        AtomicFiles.writeString(dumpLogits, Json.COMPACT.toJson(r) + "\n");
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(Map.of("dump_logits", dumpLogits.toString(), "tokens", ids.length)));
        } else {
            System.out.printf("wrote %s: logits of %d prompt tokens x %d%n", dumpLogits, ids.length, v);
        }
        return 0;
    }
}
