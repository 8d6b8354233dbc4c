package dev.pocmerge.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Devices;
import dev.pocmerge.core.InputFiles;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.RunDirs;
import dev.pocmerge.data.Instruction;
import dev.pocmerge.data.InstructionData;
import dev.pocmerge.data.TrainTokenization;
import dev.pocmerge.io.Checkpoints;
import dev.pocmerge.io.PeftFiles;
import dev.pocmerge.io.TensorSource;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaTokenizer;
import dev.pocmerge.llama.LlamaWeights;
import dev.pocmerge.lora.FinetuneConfig;
import dev.pocmerge.lora.LoraTargets;
import dev.pocmerge.lora.LoraTrainer;
import dev.pocmerge.report.Progress;
import dev.pocmerge.scaleout.MemberSelection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pocmerge finetune}: M LoRA adapters on one frozen Llama under noisy AdamW, in one batched step. */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train M LoRA adapters of one frozen Llama with noisy AdamW (all members in one batched step).")
public final class FinetuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Option(names = "--model", description = "HF Llama folder (frozen base)")
    Path model;

    @Option(names = "--data", description = "LLM-Adapters JSON: a list of {instruction, input, output}")
    Path data;

    @Option(names = "--M", defaultValue = "8", description = "ensemble size (default: ${DEFAULT-VALUE})")
    int ensembleSize;

    @Option(names = "--members", description = "train only these members of the M, e.g. 3, 0-3, 0,2,5 (default: all)")
    String members;

    @Option(names = "--rank", defaultValue = "32", description = "LoRA rank r (default: ${DEFAULT-VALUE})")
    int rank;

    @Option(names = "--alpha", defaultValue = "64", description = "LoRA alpha; scale α/r (default: ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--dropout", defaultValue = "0.05", description = "LoRA dropout (default: ${DEFAULT-VALUE})")
    double dropout;

    @Option(names = "--targets", defaultValue = LoraTargets.DEFAULT,
            description = "modules, each optionally @a-b for layers (default: ${DEFAULT-VALUE})")
    String targets;

    @Option(names = "--lr", defaultValue = "3e-4", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--lambda", defaultValue = "1e-5",
            description = "noise temperature λ: sqrt(2λη_k)·ξ per update (default: ${DEFAULT-VALUE})")
    double lambda;

    @Option(names = "--weight-decay", defaultValue = "0", description = "decoupled weight decay (default: ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--epochs", defaultValue = "3", description = "(default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "16", description = "rows per optimizer step per member (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--micro-batch-size", defaultValue = "4",
            description = "rows per forward per member; batch/micro steps of gradient accumulation (default: ${DEFAULT-VALUE})")
    int microBatchSize;

    @Option(names = "--warmup-steps", defaultValue = "100", description = "(default: ${DEFAULT-VALUE})")
    int warmupSteps;

    @Option(names = "--max-steps", defaultValue = "0", description = "stop after this many steps (0: --epochs decide)")
    int maxSteps;

    @Option(names = "--max-grad-norm", defaultValue = "1.0",
            description = "per-member gradient clipping, HF Trainer's default (0: off; default: ${DEFAULT-VALUE})")
    double maxGradNorm;

    @Option(names = "--cutoff-len", defaultValue = "256", description = "tokens per row (default: ${DEFAULT-VALUE})")
    int cutoffLen;

    @Option(names = "--mask-prompt", description = "train on the response only (LLM-Adapters train_on_inputs=False)")
    boolean maskPrompt;

    @Option(names = "--val-set-size", defaultValue = "120", description = "rows held out per member (default: ${DEFAULT-VALUE})")
    int valSetSize;

    @Option(names = "--eval-steps", defaultValue = "200", description = "(default: ${DEFAULT-VALUE})")
    int evalSteps;

    @Option(names = "--save-steps", defaultValue = "200", description = "checkpoint interval (default: ${DEFAULT-VALUE})")
    int saveSteps;

    @Option(names = "--save-total-limit", defaultValue = "3", description = "checkpoints kept (default: ${DEFAULT-VALUE})")
    int saveTotalLimit;

    @Option(names = "--base-dtype", description = "frozen base precision f16|f32 (default: f16 on GPU, f32 on CPU)")
    String baseDtype;

    @Option(names = "--recompute", description = "recompute each decoder layer in the backward (less memory)")
    boolean recompute;

    @Option(names = "--resume", description = "continue the run in this folder from its last checkpoint (with"
            + " --model and --data: start it there if it holds no run yet)")
    Path resume;

    @Override
    public Integer call() {
        Device device = Devices.resolve(common.device);
        Path dir;
        FinetuneConfig cfg;
        boolean firstStart = false;
        if (resume != null && !Files.isRegularFile(resume.resolve("config.json")) && model != null && data != null) {
            // nothing to resume yet (a pod's or an array task's first start): start the run in that folder, so one
            // command line serves the first start and every restart after preemption
            if (common.folder.out != null && !common.folder.out.toAbsolutePath().normalize().equals(resume.toAbsolutePath().normalize())) {
                throw new PocmergeException("--resume " + resume + " continues in that folder; drop --out " + common.folder.out);
            }
            common.folder.out = resume;
            resume = null;
            firstStart = true;
        }
        if (resume != null) {
            if (common.folder.out != null && !common.folder.out.toAbsolutePath().normalize().equals(resume.toAbsolutePath().normalize())) {
                throw new PocmergeException("--resume " + resume + " continues in that folder; drop --out " + common.folder.out);
            }
            dir = resume;
            cfg = resumed(device);
        } else {
            cfg = fromOptions(device, model, data);
            dir = RunDirs.path("finetune", common.folder.out);
            if (Files.exists(dir.resolve("config.json")) && !common.folder.overwrite) {
                throw new PocmergeException("--out " + dir + " already holds a run; continue it with --resume " + dir
                        + ", replace it with --overwrite, or choose another folder");
            }
        }
        // everything a user can get wrong is checked before the run folder is made
        Path modelDir = Path.of(cfg.model());
        LlamaConfig lc = LlamaCheckpoint.config(modelDir);
        List<Instruction> rows = InstructionData.load(Path.of(cfg.data()));
        TrainTokenization.Result tokenized;
        try (LlamaTokenizer tok = LlamaTokenizer.load(modelDir)) {
            long eos = lc.eosTokenIds().isEmpty() ? 2 : lc.eosTokenIds().get(0);
            tokenized = TrainTokenization.tokenizeAll(rows, tok::encode, eos, cfg.cutoffLen(), cfg.trainOnInputs());
        }
        int longest = tokenized.examples().stream().mapToInt(e -> e.ids().length).max().orElse(0);
        lc.checkLength(longest, "a training row of " + longest + " tokens (--cutoff-len " + cfg.cutoffLen() + ")",
                "lower --cutoff-len to at most " + lc.maxPositionEmbeddings());
        LoraTrainer.validate(cfg, lc, tokenized.examples().size());
        FinetuneChecks.check(cfg, lc, tokenized.examples().size(), device, spec.commandLine().getParseResult());
        if (resume == null && !firstStart) {
            RunDirs.open("finetune", dir, common.folder.overwrite);
        } else {
            RunDirs.continueIn(dir); // --resume names the folder as the run's own
        }
        Json.writeAtomic(dir.resolve("config.json"), cfg.toJson());
        DataType base = cfg.baseDtype().equals("f16") ? DataType.FLOAT16 : DataType.FLOAT32;
        try (TensorSource src = Checkpoints.open(modelDir);
                LlamaModel m = new LlamaModel(LlamaWeights.load(lc, src, device, modelDir.toString(), base));
                LoraTrainer trainer = new LoraTrainer(m, cfg, tokenized.examples(), dir, modelDir.toString())) {
            if (!common.json) {
                System.err.printf("pocmerge finetune: %d rows (%d truncated at %d tokens), members %s of M=%d, rank %d,"
                        + " %d steps on %s (base %s) → %s%n", rows.size(), tokenized.truncated(), cfg.cutoffLen(),
                        MemberSelection.format(cfg.members()), cfg.ensembleSize(), cfg.rank(), trainer.totalSteps(),
                        Devices.describe(device), cfg.baseDtype(), dir);
            }
            LoraTrainer.Result r;
            try (ProgressBar bar = Progress.bar("finetune", trainer.totalSteps())) {
                r = trainer.run(resume != null, PeftFiles::write, (done, total, loss, tps) -> {
                    bar.stepTo(done);
                    bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f, %.0f tok/s", mean(loss), tps));
                });
            }
            JsonObject out = FinetuneResults.json(cfg, r, Devices.describe(device), tokenized, dir);
            Json.writeAtomic(dir.resolve("results.json"), out);
            if (common.json) {
                System.out.println(Json.COMPACT.toJson(out));
            } else {
                System.out.print(FinetuneResults.table(cfg, r));
            }
        }
        return 0;
    }

    private FinetuneConfig fromOptions(Device device, Path modelDir, Path dataFile) {
        if (modelDir == null || dataFile == null) {
            throw new PocmergeException("finetune needs --model DIR and --data FILE.json (or --resume RUN_DIR)");
        }
        InputFiles.folder(modelDir, "--model");
        InputFiles.regularFile(dataFile, "--data");
        int[] chosen = members == null ? MemberSelection.all(ensembleSize) : MemberSelection.parse(members, ensembleSize);
        String dtype = baseDtype != null ? baseDtype.toLowerCase(Locale.ROOT) : device.isGpu() ? "f16" : "f32";
        return new FinetuneConfig(modelDir.toString(), dataFile.toString(), ensembleSize, chosen, rank, alpha, dropout,
                targets, lr, lambda, weightDecay, epochs, batchSize, microBatchSize, warmupSteps, maxSteps, maxGradNorm,
                cutoffLen, !maskPrompt, valSetSize, evalSteps, saveSteps, saveTotalLimit, common.seed, dtype, recompute);
    }

    /** The saved config; every option given again must agree with it. */
    private FinetuneConfig resumed(Device device) {
        Path f = resume.resolve("config.json");
        if (!Files.isRegularFile(f)) {
            throw new PocmergeException("--resume " + resume + ": no config.json there (not a finetune run folder)");
        }
        JsonElement e = Json.read(f);
        if (!e.isJsonObject()) {
            throw new PocmergeException(f + ": not a JSON object");
        }
        FinetuneConfig saved = FinetuneConfig.fromJson(e.getAsJsonObject(), f.toString());
        FinetuneConfig given = fromOptions(device, model != null ? model : Path.of(saved.model()),
                data != null ? data : Path.of(saved.data()));
        JsonObject a = saved.toJson();
        JsonObject b = given.toJson();
        for (var opt : spec.commandLine().getParseResult().matchedOptions()) {
            String key = FinetuneOptionKeys.key(opt.longestName());
            if (key != null && !a.get(key).equals(b.get(key))) {
                throw new PocmergeException("--resume " + resume + ": " + opt.longestName() + " " + b.get(key)
                        + " differs from the run's " + a.get(key) + " (config.json); a different config needs a new --out");
            }
        }
        return saved;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / Math.max(1, v.length);
    }
}
