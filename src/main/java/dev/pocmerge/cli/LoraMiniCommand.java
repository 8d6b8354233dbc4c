package dev.pocmerge.cli;

import ai.djl.Device;
import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.RunDirs;
import dev.pocmerge.experiments.LoraMini;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pocmerge lora-mini}: the miniature Table 1 (README.md, results.json, table.csv in --out). */
@Command(name = "lora-mini", mixinStandardHelpOptions = true,
        description = "Miniature Table 1 on CPU: M LoRA adapters on a tiny Llama, each vs the PoC merge vs rank M·r.")
public final class LoraMiniCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Option(names = "--M", defaultValue = "4", description = "adapters (default: ${DEFAULT-VALUE})")
    int members;

    @Option(names = "--rank", defaultValue = "4", description = "rank of each (default: ${DEFAULT-VALUE})")
    int rank;

    @Option(names = "--steps", defaultValue = "150", description = "optimizer steps of 16 rows (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--lr", defaultValue = "3e-3", description = "(default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--lambda", defaultValue = "1e-5", description = "(default: ${DEFAULT-VALUE})")
    double lambda;

    @Option(names = "--train", defaultValue = "2000", description = "training rows (default: ${DEFAULT-VALUE})")
    int trainRows;

    @Option(names = "--test", defaultValue = "200", description = "test rows (default: ${DEFAULT-VALUE})")
    int testRows;

    @Option(names = "--hidden", defaultValue = "64", description = "tiny base width (default: ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--layers", defaultValue = "2", description = "tiny base depth (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--train-on-inputs", description = "also train on the prompt tokens (LLM-Adapters' default); off"
            + " here so that the few steps a CPU run affords go to the answer")
    boolean trainOnInputs;

    @Option(names = "--pretrain-steps", defaultValue = "250", description = "pre-train the random base on the task's"
            + " corpus first (0: LoRA on the random base; default: ${DEFAULT-VALUE})")
    int pretrainSteps;

    @Override
    public Integer call() {
        OptionChecks.atLeast(1, "--M", members, "--rank", rank, "--steps", steps, "--train", trainRows, "--test",
                testRows, "--hidden", hidden, "--layers", layers);
        OptionChecks.atLeast(0, "--pretrain-steps", pretrainSteps);
        Device device = Devices.resolve(common.device);
        Path out = common.runDir("lora-mini");
        LoraMini.Options o = new LoraMini.Options(members, rank, steps, lr, lambda, trainRows, testRows, hidden, layers,
                !trainOnInputs, pretrainSteps, common.seed);
        LoraMini.Result r = LoraMini.run(out, o, device);
        StringBuilder table = new StringBuilder("| model | test accuracy | correct |\n|---|---|---|\n");
        StringBuilder csv = new StringBuilder("model,accuracy,correct,n\n");
        for (LoraMini.Row row : r.rows()) {
            String correct = row.correct() < 0 ? "-" : row.correct() + "/" + row.n();
            table.append(String.format(Locale.ROOT, "| %s | %.3f | %s |%n", row.name(), row.accuracy(), correct));
            csv.append(String.format(Locale.ROOT, "\"%s\",%.6f,%d,%d%n", row.name(), row.accuracy(), row.correct(), row.n()));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("device", Devices.describe(device));
        json.put("options", LoraMini.describe(o));
        json.put("seconds", r.seconds());
        json.put("rows", r.rows());
        Json.writeAtomic(out.resolve("results.json"), json);
        AtomicFiles.writeString(out.resolve("table.csv"), csv.toString());
        String command = CommandLines.regenerate(spec);
        AtomicFiles.writeString(out.resolve("README.md"), LoraMiniReadme.text(o, r, table.toString(), command,
                CommandLines.machine(Devices.describe(device))));
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(json));
        } else {
            System.out.print(table);
            System.out.printf(Locale.ROOT, "%.0f s; report in %s%n", r.seconds(), out.resolve("README.md"));
        }
        return 0;
    }
}
