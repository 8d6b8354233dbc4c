package dev.pocmerge.lora;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which projections carry an adapter: {@code --targets q_proj,k_proj,v_proj,up_proj,down_proj} (the paper's
 * script), each optionally restricted to layers with {@code @a-b} or {@code @a} (e.g. {@code q_proj@0-15}).
 * The result is the sorted module list of one base model, with each module's (in, out) from its config.
 */
public final class LoraTargets {
    public static final String DEFAULT = "q_proj,k_proj,v_proj,up_proj,down_proj";

    private LoraTargets() {}

    /** One adapted projection and its frozen weight's shape: W (out, in). */
    public record Target(ModuleKey key, int in, int out) {}

    public static List<Target> parse(String spec, LlamaConfig config) {
        if (spec == null || spec.isBlank()) {
            throw new PocmergeException("--targets: empty; give e.g. " + DEFAULT);
        }
        int layers = config.numHiddenLayers();
        TreeSet<ModuleKey> keys = new TreeSet<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            String module = p;
            int from = 0;
            int to = layers - 1;
            int at = p.indexOf('@');
            if (at >= 0) {
                module = p.substring(0, at);
                int[] range = range(p.substring(at + 1), p, layers);
                from = range[0];
                to = range[1];
            }
            if (!known(module)) {
                throw new PocmergeException("--targets: unknown module '" + module + "' (Llama has "
                        + String.join(", ", all()) + ")");
            }
            for (int l = from; l <= to; l++) {
                if (!keys.add(new ModuleKey(l, module))) {
                    throw new PocmergeException("--targets: " + module + " layer " + l + " is listed twice");
                }
            }
        }
        Map<String, long[]> shapes = config.parameterShapes();
        List<Target> out = new ArrayList<>();
        for (ModuleKey k : keys) {
            long[] s = shapes.get(LlamaNames.linear(k.layer(), k.module()));
            out.add(new Target(k, (int) s[1], (int) s[0]));
        }
        return out;
    }

    /** The adapter_config.json {@code target_modules}: short names when every layer has them, else full paths. */
    public static List<String> peftTargetModules(List<Target> targets, int layers) {
        TreeSet<String> names = new TreeSet<>((a, b) -> Integer.compare(ModuleKey.order(a), ModuleKey.order(b)));
        targets.forEach(t -> names.add(t.key().module()));
        List<String> shortNames = new ArrayList<>(names);
        if (targets.size() == (long) names.size() * layers) {
            return shortNames;
        }
        return targets.stream().map(t -> t.key().path()).toList();
    }

    private static int[] range(String r, String part, int layers) {
        try {
            int dash = r.indexOf('-');
            int a = Integer.parseInt(dash < 0 ? r : r.substring(0, dash));
            int b = dash < 0 ? a : Integer.parseInt(r.substring(dash + 1));
            if (a < 0 || b < a || b >= layers) {
                throw new PocmergeException("--targets: layer range in '" + part + "' must lie in 0-" + (layers - 1)
                        + " (the model has " + layers + " layers)");
            }
            return new int[] {a, b};
        } catch (NumberFormatException e) {
            throw new PocmergeException("--targets: '" + part + "' is not module@a-b (e.g. q_proj@0-15)");
        }
    }

    private static boolean known(String m) {
        return Arrays.asList(all()).contains(m);
    }

    private static String[] all() {
        String[] a = Arrays.copyOf(LlamaNames.ATTENTION_MODULES, 7);
        System.arraycopy(LlamaNames.MLP_MODULES, 0, a, 4, 3);
        return a;
    }
}
