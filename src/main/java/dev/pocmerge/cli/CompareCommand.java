package dev.pocmerge.cli;

import ai.djl.Device;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.eval.BatchSizes;
import dev.pocmerge.eval.CommonsenseData;
import dev.pocmerge.eval.Comparison;
import dev.pocmerge.eval.Evaluation;
import dev.pocmerge.eval.LlamaBackends;
import dev.pocmerge.eval.Protocol;
import dev.pocmerge.eval.Variant;
import dev.pocmerge.io.AdapterFolders;
import dev.pocmerge.io.PeftFiles;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaTokenizer;
import dev.pocmerge.lora.AdapterMerge;
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

/** {@code pocmerge compare --model DIR --adapters DIR... [--merged DIR]}: the paper's Table 1 / Table 3. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Table 1 / Table 3 of the paper: each single adapter, LoRA (best), LoRA (average), the PoC"
                + " merge and the base on the commonsense sets, over one loaded base (Markdown, CSV, JSON).")
public final class CompareCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common = new CommonOptions();

    @Mixin
    EvalOptions eval = new EvalOptions();

    @Option(names = "--adapters", arity = "1..*", required = true, paramLabel = "DIR",
            description = "the single adapters: PEFT folders, or folders of them (e.g. runs/ft/adapters)")
    List<Path> adapters;

    @Option(names = "--merged", paramLabel = "DIR", description = "the PoC merge as a PEFT folder (pocmerge merge);"
            + " default: merged here from --adapters (exact, rank Σ r)")
    Path merged;

    @Option(names = "--output-ensemble", description = "also score the singles as an output ensemble (mean of their"
            + " per-choice log-likelihoods; needs --protocol loglik)")
    boolean outputEnsemble;

    @Option(names = "--no-base", description = "leave out the base row")
    boolean noBase;

    @Option(names = "--bootstrap", defaultValue = "1000", description = "resamples of the merge − best single"
            + " interval (default: ${DEFAULT-VALUE})")
    int bootstrap;

    @Override
    public Integer call() {
        eval.check();
        if (outputEnsemble && eval.protocol() != Protocol.LOGLIK) {
            throw new PocmergeException("--output-ensemble averages per-choice log-likelihoods: add --protocol loglik");
        }
        if (bootstrap < 1) {
            throw new PocmergeException("--bootstrap " + bootstrap + " must be >= 1");
        }
        Device device = Devices.resolve(common.device);
        LlamaConfig config = LlamaCheckpoint.config(eval.model);
        List<Variant> variants = new ArrayList<>();
        List<LoraAdapter> singles = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>(List.of("PoC merge", "base"));
        for (AdapterFolders.Member f : AdapterFolders.expand(adapters)) {
            LoraAdapter a = PeftFiles.read(f.dir());
            PeftFiles.checkFits(a, config, f.dir());
            singles.add(a);
            String name = f.dir().getFileName().toString();
            if (!names.add(name)) { // the same folder name in two runs of a split ensemble
                name = f.dir().getParent().getFileName() + "/" + name;
                for (int k = 2; !names.add(name); k++) {
                    name = f.dir().getFileName() + " #" + k;
                }
            }
            variants.add(new Variant(name, Variant.Kind.SINGLE, List.of(a), List.of(f.dir().toString())));
        }
        LoraAdapter merge;
        String mergeSource;
        if (merged != null) {
            merge = PeftFiles.read(merged);
            PeftFiles.checkFits(merge, config, merged);
            mergeSource = merged.toString();
        } else {
            merge = AdapterMerge.cat(singles);
            mergeSource = "merged from --adapters (cat)";
        }
        variants.add(new Variant("PoC merge", Variant.Kind.MERGE, List.of(merge), List.of(mergeSource)));
        if (!noBase) {
            variants.add(Variant.base());
        }
        CommonsenseData.Sets data = eval.load();
        // loglik copies each context's cache to its (up to 5) choices: size the batch as for 5 beams
        int beams = eval.protocol() == Protocol.LOGLIK ? 5 : eval.beams();
        Path out = common.runDir("compare");
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("model", eval.model.toString());
        about.put("adapters", adapters.stream().map(Path::toString).toList());
        about.put("merged", mergeSource);
        about.put("device", Devices.describe(device));
        Comparison.Outcome o;
        try (LlamaTokenizer tok = LlamaTokenizer.load(eval.model); LlamaModel m = LlamaCheckpoint.load(eval.model, device)) {
            List<Integer> eos = LlamaCheckpoint.eosIds(eval.model, m.config());
            LlamaBackends backends = new LlamaBackends(m, tok, eos, slots -> eval.batchSize != null ? eval.batchSize
                    : BatchSizes.choose(device, config, slots, beams));
            int shown = eval.batchSize != null ? eval.batchSize : BatchSizes.choose(device, config, 1, beams);
            o = Comparison.run(backends, variants, data,
                    new Evaluation.Spec(eval.protocol(), eval.decoding(), shown, eval.limit, about),
                    new Comparison.Options(outputEnsemble, bootstrap, common.seed), out);
        }
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(o.results()));
        } else {
            System.out.print(o.table().text());
            System.out.println("wrote " + out.resolve("table.md") + " (and .csv, .json), results.json, predictions/");
        }
        return 0;
    }
}
