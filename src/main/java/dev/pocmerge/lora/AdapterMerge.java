package dev.pocmerge.lora;

import dev.pocmerge.core.AtomicDirs;
import dev.pocmerge.core.PocmergeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The PoC merge of M LoRA adapters (paper Section 5.2, Appendix B.3): per module
 * {@code ΔW = (1/M)·Σ_m (α_m/r_m)·B_m·A_m}, which with γ = 1/N is the paper's (1/(MN))·Σ_j Σ_i b_j^i a_j^iᵀ.
 * Every method takes the members with a label each (a folder, "member 3") so a refusal names the two that disagree.
 */
public final class AdapterMerge {
    private AdapterMerge() {}

    /** Labels "adapter 0", "adapter 1", ... for callers that have no names. */
    public static List<String> defaultLabels(int m) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            l.add("adapter " + i);
        }
        return l;
    }

    public static LoraAdapter cat(List<LoraAdapter> members) {
        return cat(members, defaultLabels(members.size()));
    }

    /**
     * The exact PEFT adapter of rank R = Σ r_m: A rows and B columns concatenated in member order. The weight
     * (α_m/r_m)/M is folded into member m's A rows, as PEFT's {@code add_weighted_adapter(combination_type="cat")}
     * folds {@code weight · scaling} into A; B columns stay bit for bit. r = lora_alpha = R, so PEFT's scale is 1.
     */
    public static LoraAdapter cat(List<LoraAdapter> members, List<String> labels) {
        checkCompatible(members, labels, false);
        int m = members.size();
        int rank = 0;
        for (LoraAdapter a : members) {
            rank += a.settings().r();
        }
        SortedMap<ModuleKey, LoraFactors> out = new TreeMap<>();
        for (ModuleKey key : members.get(0).modules().keySet()) {
            LoraFactors first = members.get(0).modules().get(key);
            int in = first.in();
            int outDim = first.out();
            float[] a = new float[Math.multiplyExact(rank, in)];
            float[] b = new float[Math.multiplyExact(outDim, rank)];
            int row = 0;
            for (LoraAdapter member : members) {
                LoraFactors f = member.modules().get(key);
                double w = member.settings().scale() / m;
                for (int i = 0; i < f.rank() * in; i++) {
                    a[row * in + i] = (float) (f.a()[i] * w); // one rounding, not two
                }
                for (int o = 0; o < outDim; o++) {
                    System.arraycopy(f.b(), o * f.rank(), b, o * rank + row, f.rank());
                }
                row += f.rank();
            }
            out.put(key, new LoraFactors(rank, in, outDim, a, b));
        }
        return new LoraAdapter(merged(members.get(0).settings(), rank), out);
    }

    public static LoraAdapter soup(List<LoraAdapter> members) {
        return soup(members, defaultLabels(members.size()));
    }

    /**
     * The official code's baseline (for ablation): A and B averaged separately, {@code (α/r)·B̄·Ā}. Not the PoC
     * merge: the mean of products is not the product of means. Members need equal r and α.
     */
    public static LoraAdapter soup(List<LoraAdapter> members, List<String> labels) {
        checkCompatible(members, labels, true);
        int m = members.size();
        SortedMap<ModuleKey, LoraFactors> out = new TreeMap<>();
        for (ModuleKey key : members.get(0).modules().keySet()) {
            LoraFactors first = members.get(0).modules().get(key);
            double[] a = new double[first.a().length];
            double[] b = new double[first.b().length];
            for (LoraAdapter member : members) {
                LoraFactors f = member.modules().get(key);
                for (int i = 0; i < a.length; i++) {
                    a[i] += f.a()[i];
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] += f.b()[i];
                }
            }
            out.put(key, new LoraFactors(first.rank(), first.in(), first.out(), mean(a, m), mean(b, m)));
        }
        return new LoraAdapter(members.get(0).settings(), out);
    }

    private static float[] mean(double[] sum, int m) {
        float[] out = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            out[i] = (float) (sum[i] / m);
        }
        return out;
    }

    public static SvdMerge svd(List<LoraAdapter> members, int k) {
        return svd(members, defaultLabels(members.size()), k);
    }

    /**
     * The PoC-merged ΔW re-compressed to rank k per module (Eckart–Young optimal), without forming ΔW; see
     * {@link LowRankSvd}. The rank is min(k, R, the largest min(in, out)); k ≥ R reproduces ΔW.
     */
    public static SvdMerge svd(List<LoraAdapter> members, List<String> labels, int k) {
        if (k < 1) {
            throw new PocmergeException("svd rank must be at least 1, got " + k);
        }
        LoraAdapter cat = cat(members, labels);
        int maxRank = 0;
        for (LoraFactors f : cat.modules().values()) {
            maxRank = Math.max(maxRank, Math.min(f.in(), f.out()));
        }
        int rank = Math.min(k, Math.min(cat.settings().r(), maxRank));
        SortedMap<ModuleKey, LoraFactors> out = new TreeMap<>();
        SortedMap<ModuleKey, Double> errors = new TreeMap<>();
        for (Map.Entry<ModuleKey, LoraFactors> e : cat.modules().entrySet()) {
            LowRankSvd.Result r = LowRankSvd.truncate(e.getValue(), rank);
            out.put(e.getKey(), r.factors());
            errors.put(e.getKey(), r.relativeError());
        }
        return new SvdMerge(new LoraAdapter(merged(cat.settings(), rank), out), errors);
    }

    /** A merged adapter's settings: rank r with lora_alpha = r (scale 1, the merge weights are in the factors). */
    private static LoraSettings merged(LoraSettings first, int rank) {
        return new LoraSettings(rank, rank, first.dropout(), first.targetModules(), first.baseModel());
    }

    /** The module's update {@code scale·B·A} as an (out, in) row-major matrix, accumulated in float64 (a reference). */
    public static float[] deltaWeight(LoraAdapter adapter, ModuleKey module) {
        LoraFactors f = adapter.modules().get(module);
        if (f == null) {
            throw new IllegalArgumentException("the adapter has no module " + module);
        }
        double scale = adapter.settings().scale();
        float[] w = new float[Math.multiplyExact(f.out(), f.in())];
        double[] row = new double[f.in()];
        for (int o = 0; o < f.out(); o++) {
            java.util.Arrays.fill(row, 0);
            for (int j = 0; j < f.rank(); j++) {
                double bj = f.b()[o * f.rank() + j];
                int base = j * f.in();
                for (int i = 0; i < f.in(); i++) {
                    row[i] += bj * f.a()[base + i];
                }
            }
            for (int i = 0; i < f.in(); i++) {
                w[o * f.in() + i] = (float) (scale * row[i]);
            }
        }
        return w;
    }

    /** W0 + ΔW of every adapted module as an HF checkpoint laid out like the base; see {@link FullWeights}. */
    public static void full(Path baseModelDir, LoraAdapter merged, Path outDir) {
        full(baseModelDir, merged, outDir, (done, total) -> { }, tmp -> { });
    }

    /**
     * As above; {@code progress} is told (tensors written, tensors in the checkpoint) after each tensor, and
     * {@code extra} may add files (merge.json) to the folder before it appears.
     */
    public static void full(Path baseModelDir, LoraAdapter merged, Path outDir,
            java.util.function.BiConsumer<Integer, Integer> progress, AtomicDirs.Filler extra) {
        FullWeights.write(baseModelDir, merged, outDir, progress, extra);
    }

    /**
     * Members must adapt the same modules with the same (in, out), target the same base (when both name one) and,
     * for {@code sameSettings} (soup), share r and α. The error names the two members that disagree.
     */
    public static void checkCompatible(List<LoraAdapter> members, List<String> labels, boolean sameSettings) {
        if (members.isEmpty()) {
            throw new PocmergeException("merge: no adapters given");
        }
        if (labels.size() != members.size()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + members.size() + " adapters");
        }
        LoraAdapter first = members.get(0);
        String l0 = labels.get(0);
        for (int i = 1; i < members.size(); i++) {
            LoraAdapter a = members.get(i);
            String li = labels.get(i);
            if (!a.modules().keySet().equals(first.modules().keySet())) {
                throw new PocmergeException(l0 + " and " + li + " adapt different modules (" + describe(first)
                        + " vs " + describe(a) + "); merge adapters of one run or of identical --targets");
            }
            for (Map.Entry<ModuleKey, LoraFactors> e : first.modules().entrySet()) {
                LoraFactors f = e.getValue();
                LoraFactors g = a.modules().get(e.getKey());
                if (f.in() != g.in() || f.out() != g.out()) {
                    throw new PocmergeException(l0 + " and " + li + " disagree on " + e.getKey().path() + ": (in, out)"
                            + " = (" + f.in() + ", " + f.out() + ") vs (" + g.in() + ", " + g.out() + "); they were"
                            + " trained on different base models");
                }
            }
            String b0 = first.settings().baseModel();
            String bi = a.settings().baseModel();
            if (b0 != null && bi != null && !b0.isEmpty() && !bi.isEmpty() && !b0.equals(bi)) {
                throw new PocmergeException(l0 + " and " + li + " name different base models ('" + b0 + "' vs '" + bi
                        + "' in base_model_name_or_path); if they are the same model, make the field agree");
            }
            if (sameSettings && (a.settings().r() != first.settings().r()
                    || !Objects.equals(a.settings().alpha(), first.settings().alpha()))) {
                throw new PocmergeException(l0 + " and " + li + " have different r / lora_alpha (" + first.settings().r()
                        + "/" + first.settings().alpha() + " vs " + a.settings().r() + "/" + a.settings().alpha()
                        + "): a soup averages factors of one shape and scale; use the default (cat) merge");
            }
        }
    }

    private static String describe(LoraAdapter a) {
        SortedMap<String, Integer> layersPerModule = new TreeMap<>();
        a.modules().keySet().forEach(k -> layersPerModule.merge(k.module(), 1, Integer::sum));
        return a.modules().size() + " modules " + layersPerModule;
    }
}
