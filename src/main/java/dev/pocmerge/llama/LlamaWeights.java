package dev.pocmerge.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.io.TensorInfo;
import dev.pocmerge.io.TensorSource;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The frozen base weights, loaded once on one device and shared by every forward (and, later, by all M LoRA
 * adapters). No array here requires a gradient. Linear weights and the embedding are float32 on CPU and
 * float16 on CUDA (shared/DESIGN.md, precision); norm weights are always float32 (RMSNorm runs in float32). Linear
 * weights are held transposed, Wᵀ (in, out) contiguous, the layout {@link FrozenLinear} multiplies fastest; the
 * HF (out, in) copy is dropped right after loading, so there is one copy of each weight (two of the embedding
 * when the head is tied: the lookup table and its transpose).
 */
public final class LlamaWeights implements AutoCloseable {
    private final LlamaConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> arrays;
    private final DataType linearType;

    private LlamaWeights(LlamaConfig config, NDManager manager, Map<String, NDArray> arrays, DataType linearType) {
        this.config = config;
        this.manager = manager;
        this.arrays = arrays;
        this.linearType = linearType;
    }

    /** The precision DESIGN.md prescribes for frozen weights on {@code device}. */
    public static DataType frozenType(Device device) {
        return device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
    }

    /**
     * Loads and checks every tensor the config implies. {@code where} names the checkpoint in errors. Extra
     * tensors other than {@code rotary_emb.inv_freq} leftovers are an error (a config/weights mismatch).
     */
    public static LlamaWeights load(LlamaConfig config, TensorSource source, Device device, String where) {
        return load(config, source, device, where, frozenType(device));
    }

    /**
     * As above with an explicit precision for the linear weights and the embedding: FLOAT16 or FLOAT32 (the
     * {@code --base-dtype} choice), or FLOAT64, which makes the whole forward run in float64 (gradient checks).
     */
    public static LlamaWeights load(LlamaConfig config, TensorSource source, Device device, String where,
            DataType linear) {
        if (linear != DataType.FLOAT16 && linear != DataType.FLOAT32 && linear != DataType.FLOAT64) {
            throw new IllegalArgumentException("base dtype " + linear + ": FLOAT16, FLOAT32 or FLOAT64");
        }
        Map<String, long[]> expected = config.parameterShapes();
        for (String name : source.names()) {
            if (!expected.containsKey(name) && !LlamaNames.isIgnored(name)
                    && !(config.tieWordEmbeddings() && name.equals(LlamaNames.LM_HEAD))) {
                throw new PocmergeException(where + ": unexpected tensor " + name + " (config.json implies "
                        + config.numHiddenLayers() + " layers" + (config.tieWordEmbeddings() ? ", tied head" : "")
                        + ")");
            }
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            if (!source.contains(e.getKey())) {
                throw new PocmergeException(where + ": missing tensor " + e.getKey()
                        + (e.getKey().equals(LlamaNames.LM_HEAD) ? " (or set tie_word_embeddings in config.json)" : ""));
            }
            TensorInfo info = source.info(e.getKey());
            if (!Arrays.equals(info.shape(), e.getValue())) {
                throw new PocmergeException(where + ": tensor " + e.getKey() + " has shape "
                        + Arrays.toString(info.shape()) + ", config.json implies " + Arrays.toString(e.getValue()));
            }
            if (!info.dtype().isFloat()) {
                throw new PocmergeException(where + ": tensor " + e.getKey() + " has dtype " + info.dtype()
                        + ", expected F32/F16/BF16");
            }
        }
        DataType normType = linear == DataType.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
        NDManager manager = Engines.pytorch().newBaseManager(device);
        Map<String, NDArray> arrays = new HashMap<>();
        try {
            for (String name : expected.keySet()) {
                boolean norm = name.endsWith("norm.weight");
                NDArray a = load(source, name, manager, norm ? normType : linear);
                if (!norm && !name.equals(LlamaNames.EMBED)) {
                    NDArray t = FrozenLinear.transposeContiguous(a);
                    a.close();
                    a = t;
                }
                a.setName(name);
                arrays.put(name, a);
            }
            if (config.tieWordEmbeddings()) {
                arrays.put(LlamaNames.LM_HEAD, FrozenLinear.transposeContiguous(arrays.get(LlamaNames.EMBED)));
            }
        } catch (RuntimeException ex) {
            manager.close();
            throw ex;
        }
        return new LlamaWeights(config, manager, arrays, linear);
    }

    private static NDArray load(TensorSource source, String name, NDManager manager, DataType type) {
        if (type != DataType.FLOAT64) {
            return source.load(name, manager, type);
        }
        NDArray f = source.load(name, manager, DataType.FLOAT32);
        NDArray d = f.toType(DataType.FLOAT64, true);
        f.close();
        return d;
    }

    public LlamaConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** float32 on CPU, float16 on CUDA by default; float64 for gradient checks. */
    public DataType linearType() {
        return linearType;
    }

    /** The dtype of activations, residuals and hook inputs: float64 for a float64 base, else float32. */
    public DataType activationType() {
        return linearType == DataType.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
    }

    /** A norm weight, the embedding (vocab, hidden), or a linear weight as Wᵀ (in, out). */
    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no weight " + name);
        }
        return a;
    }

    /** The lookup table (vocab, hidden). */
    public NDArray embedding() {
        return get(LlamaNames.EMBED);
    }

    /** The output projection as Wᵀ (hidden, vocab): {@code lm_head.weight}, or the embedding's when tied. */
    public FrozenLinear lmHead() {
        return new FrozenLinear("lm_head", -1, get(LlamaNames.LM_HEAD));
    }

    FrozenLinear linear(int layer, String module) {
        return new FrozenLinear(module, layer, get(LlamaNames.linear(layer, module)));
    }

    @Override
    public void close() {
        manager.close();
    }
}
