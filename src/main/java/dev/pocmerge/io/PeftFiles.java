package dev.pocmerge.io;

import dev.pocmerge.core.AtomicDirs;
import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaNames;
import dev.pocmerge.lora.LoraAdapter;
import dev.pocmerge.lora.LoraFactors;
import dev.pocmerge.lora.LoraSettings;
import dev.pocmerge.lora.ModuleKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A PEFT LoRA adapter folder as {@code PeftModel.save_pretrained} writes it: {@code adapter_config.json} and
 * {@code adapter_model.safetensors} (F32, metadata {"format": "pt"}). Pickled {@code adapter_model.bin} files are
 * never loaded: unpickling runs arbitrary code.
 */
public final class PeftFiles {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    public static final String PICKLE = "adapter_model.bin";

    private PeftFiles() {}

    /** Writes the folder atomically; an existing adapter folder at {@code dir} is replaced as a whole. */
    public static void write(Path dir, LoraAdapter adapter) {
        AtomicDirs.write(dir, PeftFiles::isAdapterFolder, "a PEFT adapter folder", tmp -> writeInto(tmp, adapter));
    }

    /** Holds an adapter_config.json (what {@link #write} may replace). */
    public static boolean isAdapterFolder(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG));
    }

    /** Writes both files into an existing folder, e.g. a temp folder a caller fills with more files. */
    public static void writeInto(Path dir, LoraAdapter adapter) {
        LoraSettings s = adapter.settings();
        if (adapter.modules().isEmpty()) {
            throw new PocmergeException(dir + ": an adapter without modules cannot be written");
        }
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt"); // as PEFT's safe_save_file
        for (Map.Entry<ModuleKey, LoraFactors> e : adapter.modules().entrySet()) {
            LoraFactors f = e.getValue();
            if (f.rank() != s.r()) {
                throw new IllegalArgumentException(e.getKey() + " has rank " + f.rank() + " but the settings say r = "
                        + s.r() + " (PEFT reads one r for every module)");
            }
            w.add(PeftKey.name(e.getKey(), true), Dtype.F32, new long[] {f.rank(), f.in()}, f.a());
            w.add(PeftKey.name(e.getKey(), false), Dtype.F32, new long[] {f.out(), f.rank()}, f.b());
        }
        w.write(dir.resolve(WEIGHTS));
        AtomicFiles.writeString(dir.resolve(CONFIG), PeftConfigJson.toJson(s));
    }

    /** Reads and validates a folder; every error is one line naming the file and the tensor or field. */
    public static LoraAdapter read(Path dir) {
        if (!Files.exists(dir)) {
            throw new PocmergeException(dir + ": adapter folder not found");
        }
        if (!Files.isDirectory(dir)) {
            throw new PocmergeException(dir + ": is a file; pass the adapter folder (the one holding " + CONFIG + ")");
        }
        Path config = dir.resolve(CONFIG);
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            if (Files.exists(dir.resolve(PICKLE))) {
                throw new PocmergeException(dir + ": holds only " + PICKLE + ", a pickle, which is never loaded (it"
                        + " can run code); re-save it with save_pretrained(..., safe_serialization=True)");
            }
            throw new PocmergeException(dir + ": no " + WEIGHTS + " (not a PEFT adapter folder?)");
        }
        if (!Files.isRegularFile(config)) {
            throw new PocmergeException(dir + ": no " + CONFIG + " beside " + WEIGHTS);
        }
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            Map<ModuleKey, String[]> pairs = pairUp(f);
            List<String> shortNames = new ArrayList<>(new LinkedHashSet<>(pairs.keySet().stream()
                    .map(ModuleKey::module).sorted((x, y) -> Integer.compare(order(x), order(y))).toList()));
            List<String> paths = pairs.keySet().stream().map(ModuleKey::path).toList();
            LoraSettings s = PeftConfigJson.parse(config, shortNames, paths);
            SortedMap<ModuleKey, LoraFactors> modules = new TreeMap<>();
            for (Map.Entry<ModuleKey, String[]> e : pairs.entrySet()) {
                modules.put(e.getKey(), factors(f, s.r(), e.getValue()[0], e.getValue()[1], config));
            }
            return new LoraAdapter(s, modules);
        }
    }

    private static int order(String module) {
        List<String> all = new ArrayList<>(List.of(LlamaNames.ATTENTION_MODULES));
        all.addAll(List.of(LlamaNames.MLP_MODULES));
        return all.indexOf(module);
    }

    /** Module → {A name, B name}; refuses two adapter names in one file and A without B (or B without A). */
    private static Map<ModuleKey, String[]> pairUp(SafetensorsFile f) {
        Map<ModuleKey, String[]> pairs = new TreeMap<>();
        String adapterName = null;
        String firstName = null;
        for (String name : f.names()) {
            PeftKey k = PeftKey.parse(f.file(), name);
            String an = k.adapterName() == null ? "" : k.adapterName();
            if (firstName == null) {
                adapterName = an;
                firstName = name;
            } else if (!an.equals(adapterName)) {
                throw new PocmergeException(f.file() + ": tensors " + firstName + " and " + name + " belong to"
                        + " different adapters; save one adapter per folder");
            }
            String[] p = pairs.computeIfAbsent(k.module(), m -> new String[2]);
            p[k.isA() ? 0 : 1] = name;
        }
        if (pairs.isEmpty()) {
            throw new PocmergeException(f.file() + ": holds no LoRA tensors");
        }
        for (Map.Entry<ModuleKey, String[]> e : pairs.entrySet()) {
            String[] p = e.getValue();
            if (p[0] == null || p[1] == null) {
                String have = p[0] != null ? p[0] : p[1];
                throw new PocmergeException(f.file() + ": tensor " + have + " has no matching lora_"
                        + (p[0] == null ? "A" : "B") + " (incomplete A/B pair)");
            }
        }
        return pairs;
    }

    private static LoraFactors factors(SafetensorsFile f, int r, String aName, String bName, Path config) {
        long[] a = matrix(f, aName);
        long[] b = matrix(f, bName);
        if (a[0] != r) {
            throw new PocmergeException(f.file() + ": tensor " + aName + " has shape " + SafetensorsHeader.fmt(a)
                    + ", but " + config.getFileName() + " says r = " + r + " (lora_A is (r, in))");
        }
        if (b[1] != r) {
            throw new PocmergeException(f.file() + ": tensor " + bName + " has shape " + SafetensorsHeader.fmt(b)
                    + ", but " + config.getFileName() + " says r = " + r + " (lora_B is (out, r))");
        }
        if (a[1] < 1 || b[0] < 1 || a[1] > Integer.MAX_VALUE || b[0] > Integer.MAX_VALUE) {
            throw new PocmergeException(f.file() + ": tensors " + aName + " / " + bName + " have empty or huge shapes "
                    + SafetensorsHeader.fmt(a) + " / " + SafetensorsHeader.fmt(b));
        }
        return new LoraFactors(r, (int) a[1], (int) b[0], f.readFloats(aName), f.readFloats(bName));
    }

    /** A 2-D float tensor's shape (F16/BF16/F64 are read as float32). */
    private static long[] matrix(SafetensorsFile f, String name) {
        TensorInfo t = f.info(name);
        if (!t.dtype().isFloat()) {
            throw new PocmergeException(f.file() + ": tensor " + name + " has dtype " + t.dtype() + ", expected a float"
                    + " type (F32, F16, BF16)");
        }
        if (t.shape().length != 2) {
            throw new PocmergeException(f.file() + ": tensor " + name + " has shape " + SafetensorsHeader.fmt(t.shape())
                    + ", expected a matrix");
        }
        return t.shape();
    }

    /**
     * Checks the adapter can be applied to a base of config {@code base}: each module's layer exists and its (in,
     * out) equal the projection's. {@code where} (the adapter folder) is named in the error.
     */
    public static void checkFits(LoraAdapter adapter, LlamaConfig base, Path where) {
        Map<String, long[]> shapes = base.parameterShapes();
        for (Map.Entry<ModuleKey, LoraFactors> e : adapter.modules().entrySet()) {
            ModuleKey k = e.getKey();
            LoraFactors f = e.getValue();
            String tensor = PeftKey.name(k, true);
            if (k.layer() >= base.numHiddenLayers()) {
                throw new PocmergeException(where + ": tensor " + tensor + " is for layer " + k.layer() + ", but the"
                        + " base model has " + base.numHiddenLayers() + " layers (num_hidden_layers): adapter and"
                        + " --model do not match");
            }
            long[] w = shapes.get(LlamaNames.linear(k.layer(), k.module()));
            if (w == null || w[0] != f.out() || w[1] != f.in()) {
                throw new PocmergeException(where + ": tensors " + k.peftPrefix() + ".lora_A/B adapt (in " + f.in()
                        + ", out " + f.out() + "), but the base " + k.module() + " weight is (out, in) = "
                        + (w == null ? "absent" : SafetensorsHeader.fmt(w)) + ": adapter and --model do not match");
            }
        }
    }
}
