package dev.pocmerge.cli;

import ai.djl.Device;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.eval.BatchSizes;
import dev.pocmerge.eval.CommonsenseData;
import dev.pocmerge.eval.Evaluation;
import dev.pocmerge.eval.LlamaBackends;
import dev.pocmerge.eval.Variant;
import dev.pocmerge.io.PeftFiles;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaTokenizer;
import dev.pocmerge.lora.LoraAdapter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pocmerge evaluate --model DIR [--adapter DIR] --tasks all --data-dir DIR}: one model on the sets. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Commonsense evaluation of a base model, optionally with PEFT adapters: LLM-Adapters'"
                + " protocol (prompt, beam search 4, 32 new tokens, answer extraction) or --protocol loglik.")
public final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common = new CommonOptions();

    @Mixin
    EvalOptions eval = new EvalOptions();

    @Option(names = "--adapter", arity = "1..*", paramLabel = "DIR", description = "PEFT LoRA adapter folder(s),"
            + " applied through the projections' hook (several are summed, as PEFT does)")
    List<Path> adapters = List.of();

    @Override
    public Integer call() {
        eval.check();
        Device device = Devices.resolve(common.device);
        LlamaConfig config = LlamaCheckpoint.config(eval.model);
        List<LoraAdapter> loaded = new ArrayList<>();
        for (Path a : adapters) { // a bad adapter or set is reported before the weights load
            LoraAdapter ad = PeftFiles.read(a);
            PeftFiles.checkFits(ad, config, a);
            loaded.add(ad);
        }
        CommonsenseData.Sets data = eval.load();
        int batch = eval.batchSize != null ? eval.batchSize
                : BatchSizes.choose(device, config, 1, eval.protocol() == dev.pocmerge.eval.Protocol.LOGLIK ? 5
                        : eval.beams()); // loglik copies each context's cache to its (up to 5) choices
        Path out = common.runDir("evaluate");
        Variant v = loaded.isEmpty() ? Variant.base() : new Variant("base + " + String.join(" + ",
                adapters.stream().map(p -> p.getFileName().toString()).toList()), Variant.Kind.ADAPTER, loaded,
                adapters.stream().map(Path::toString).toList());
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("model", eval.model.toString());
        about.put("adapters", adapters.stream().map(Path::toString).toList());
        about.put("device", Devices.describe(device));
        Evaluation.Outcome o;
        try (LlamaTokenizer tok = LlamaTokenizer.load(eval.model); LlamaModel m = LlamaCheckpoint.load(eval.model, device)) {
            List<Integer> eos = LlamaCheckpoint.eosIds(eval.model, m.config());
            o = Evaluation.run(new LlamaBackends(m, tok, eos, slots -> batch), v, data,
                    new Evaluation.Spec(eval.protocol(), eval.decoding(), batch, eval.limit, about), out);
        }
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(o.results()));
        } else {
            System.out.print(o.table().text());
            System.out.println("wrote " + out.resolve("results.json") + ", " + out.resolve("table.md")
                    + " and predictions-<task>.jsonl");
        }
        return 0;
    }
}
