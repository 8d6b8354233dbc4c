package dev.pocmerge.cli;

import dev.pocmerge.core.AtomicDirs;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.RunDirs;
import dev.pocmerge.io.AdapterFolders;
import dev.pocmerge.io.PeftFiles;
import dev.pocmerge.scaleout.RunConfigs;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.lora.AdapterMerge;
import dev.pocmerge.lora.LoraAdapter;
import dev.pocmerge.lora.ModuleKey;
import dev.pocmerge.lora.SvdMerge;
import dev.pocmerge.report.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pocmerge merge --adapters DIR...}: PoC-merge LoRA adapters into one PEFT adapter or full weights;
 * {@code pocmerge merge --particles DIR...}: combine and score mean-field members saved by {@code ensemble} runs.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "PoC-merge LoRA adapters (PEFT folders): ΔW = (1/M)·Σ (α_m/r_m)·B_m·A_m, written as one exact"
                + " PEFT adapter of rank Σ r_m (default), a rank-k SVD (--svd), a factor average (--soup), or full"
                + " weights W0 + ΔW (--full --model). Runs on the CPU. With --particles instead: combine the"
                + " mean-field members of several `ensemble` run folders, then score them, their PoC merge and its"
                + " pruning exactly like `ensemble` (results.json of the same shape).")
public final class MergeCommand implements Callable<Integer> {
    static final String REPORT = "merge.json";

    @Mixin
    CommonOptions common = new CommonOptions();

    @Option(names = "--adapters", arity = "1..*", paramLabel = "DIR",
            description = "PEFT adapter folders, or folders of them (e.g. runs/ft/adapters)")
    List<Path> adapters;

    @Option(names = "--particles", arity = "1..*", paramLabel = "DIR",
            description = "ensemble run folders (each with particles.safetensors) whose members form one ensemble")
    List<Path> particles;

    @Option(names = "--prune", paramLabel = "s", description = "with --particles: also score the merged net randomly"
            + " pruned to s neurons (default: N)")
    Integer prune;

    @Option(names = "--data", paramLabel = "FILE.csv", description = "with --particles: the CSV the runs trained on"
            + " (when they used --data instead of --task)")
    Path data;

    @Option(names = "--full", description = "write W0 + ΔW as a Hugging Face checkpoint (needs --model)")
    boolean full;

    @Option(names = "--model", paramLabel = "BASE_DIR", description = "the base model folder: adapters are checked"
            + " against it; --full merges into it")
    Path model;

    @Option(names = "--svd", paramLabel = "k", description = "re-compress ΔW to rank k per module (reports the"
            + " relative Frobenius error of each)")
    Integer svd;

    @Option(names = "--soup", description = "average A and B separately instead (the official code's baseline,"
            + " for ablation; not the PoC merge)")
    boolean soup;

    @Override
    public Integer call() {
        boolean lora = adapters != null && !adapters.isEmpty();
        boolean mf = particles != null && !particles.isEmpty();
        if (lora == mf) {
            throw new PocmergeException("merge: give exactly one of --adapters DIR... (LoRA) or --particles DIR..."
                    + " (mean-field)");
        }
        if (mf) {
            if (full || model != null || svd != null || soup) {
                throw new PocmergeException("merge --particles: --full, --model, --svd and --soup are for --adapters");
            }
            return MergeParticles.run(particles, prune, data, common);
        }
        if (prune != null || data != null) {
            throw new PocmergeException("merge --adapters: --prune and --data are for --particles");
        }
        if (soup && svd != null) {
            throw new PocmergeException("--soup and --svd exclude each other: a soup averages factors, --svd"
                    + " compresses the PoC merge");
        }
        if (svd != null && svd < 1) {
            throw new PocmergeException("--svd " + svd + ": the rank must be at least 1");
        }
        if (full && model == null) {
            throw new PocmergeException("--full needs --model BASE_DIR (the base the adapters were trained on)");
        }
        long t0 = System.nanoTime();
        LlamaConfig base = model == null ? null : LlamaCheckpoint.config(model);
        List<AdapterFolders.Member> folders = AdapterFolders.expand(adapters);
        Path out = RunDirs.path("merge", common.folder.out);
        refuseOverlaps(out, folders);
        RunDirs.refuseUnlessOverwrite(out, common.folder.overwrite);
        List<LoraAdapter> members = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (AdapterFolders.Member f : folders) {
            LoraAdapter a = PeftFiles.read(f.dir());
            if (base != null) {
                PeftFiles.checkFits(a, base, f.dir());
            }
            members.add(a);
            labels.add(f.dir().toString());
        }
        RunConfigs.checkOneEnsemble(folders.stream().map(AdapterFolders.Member::dir).toList());
        String mode = soup ? "soup" : svd != null ? "svd" : "cat";
        LoraAdapter merged;
        SvdMerge compressed = null;
        if (soup) {
            merged = AdapterMerge.soup(members, labels);
        } else if (svd != null) {
            compressed = AdapterMerge.svd(members, labels, svd);
            merged = compressed.adapter();
        } else {
            merged = AdapterMerge.cat(members, labels);
        }
        Map<String, Object> report = report(mode, folders, members, merged, compressed, out);
        if (full) {
            ProgressBar[] bar = new ProgressBar[1];
            try {
                AdapterMerge.full(model, merged, out, (done, total) -> {
                    if (bar[0] == null) {
                        bar[0] = Progress.bar("merge", total);
                    }
                    bar[0].stepTo(done);
                }, tmp -> Json.writeAtomic(tmp.resolve(REPORT), report));
            } finally {
                if (bar[0] != null) {
                    bar[0].close();
                }
            }
        } else {
            AtomicDirs.write(out, d -> common.folder.overwrite, "replaceable (add --overwrite)", tmp -> {
                        PeftFiles.writeInto(tmp, merged);
                        Json.writeAtomic(tmp.resolve(REPORT), report);
                    });
        }
        report.put("seconds", (System.nanoTime() - t0) / 1e9);
        print(report, compressed);
        return 0;
    }

    /** The output must not replace an input, nor land inside one (writing there would delete or pollute it). */
    private void refuseOverlaps(Path out, List<AdapterFolders.Member> folders) {
        Path o = out.toAbsolutePath().normalize();
        List<Path> inputs = new ArrayList<>(adapters);
        folders.forEach(f -> inputs.add(f.dir()));
        if (model != null) {
            inputs.add(model);
        }
        for (Path in : inputs) {
            Path i = in.toAbsolutePath().normalize();
            if (i.startsWith(o) || o.startsWith(i)) {
                throw new PocmergeException("--out " + out + " overlaps the input " + in + "; choose a separate folder");
            }
        }
        if (Files.isDirectory(o) && !Files.isRegularFile(o.resolve(REPORT)) && !isEmpty(o)) {
            throw new PocmergeException("--out " + out + ": exists and holds no " + REPORT + " (not an earlier merge);"
                    + " choose a new folder or remove it");
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new PocmergeException("--out " + dir + ": cannot list (" + e.getMessage() + ")", e);
        }
    }

    private Map<String, Object> report(String mode, List<AdapterFolders.Member> folders, List<LoraAdapter> members,
            LoraAdapter merged, SvdMerge compressed, Path out) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("out", out.toString());
        r.put("mode", mode);
        r.put("output", full ? "full" : "adapter");
        if (model != null) {
            r.put("model", model.toString());
        }
        List<Map<String, Object>> ms = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dir", folders.get(i).dir().toString());
            folders.get(i).index().ifPresent(x -> m.put("index", x));
            m.put("r", members.get(i).settings().r());
            m.put("lora_alpha", members.get(i).settings().alpha());
            ms.add(m);
        }
        r.put("M", members.size());
        r.put("members", ms);
        r.put("rank", merged.settings().r());
        r.put("lora_alpha", merged.settings().alpha());
        r.put("modules", merged.modules().size());
        if (compressed != null) {
            r.put("svd_rank_requested", svd);
            r.put("max_relative_error", compressed.maxRelativeError());
            Map<String, Double> errors = new LinkedHashMap<>();
            compressed.relativeErrors().forEach((k, v) -> errors.put(k.path(), v));
            r.put("relative_errors", errors);
        }
        return r;
    }

    private void print(Map<String, Object> r, SvdMerge compressed) {
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(r));
            return;
        }
        int m = (Integer) r.get("M");
        System.out.printf("merged %d adapter%s (%s, rank %d, %d modules) into %s %s%n", m, m == 1 ? "" : "s",
                r.get("mode"), r.get("rank"), r.get("modules"), full ? "full weights" : "a PEFT adapter", r.get("out"));
        if (compressed != null) {
            ModuleKey worst = null;
            for (Map.Entry<ModuleKey, Double> e : compressed.relativeErrors().entrySet()) {
                if (worst == null || e.getValue() > compressed.relativeErrors().get(worst)) {
                    worst = e.getKey();
                }
            }
            System.out.printf("relative Frobenius error of the rank-%d SVD: max %.3g (%s); all in %s%n", r.get("rank"),
                    compressed.maxRelativeError(), worst == null ? "-" : worst.path(), REPORT);
        }
    }
}
