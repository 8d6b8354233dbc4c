package dev.pocmerge.lora;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.io.Dtype;
import dev.pocmerge.io.TensorInfo;
import dev.pocmerge.io.TensorSource;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaWeights;
import dev.pocmerge.llama.RandomWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A frozen base of {@link RandomWeights} loaded straight from memory (benchmarks, memory measurements): no
 * checkpoint on disk, the same LlamaWeights layout a real model gets.
 */
public final class RandomBase implements TensorSource {
    private final Map<String, float[]> values;
    private final Map<String, long[]> shapes;

    private RandomBase(LlamaConfig c, long seed) {
        this.values = RandomWeights.generate(c, seed);
        this.shapes = c.parameterShapes();
    }

    /** A model of random weights for {@code c}, linear weights in {@code linear} (FLOAT32 or FLOAT16). */
    public static LlamaModel model(LlamaConfig c, long seed, Device device, DataType linear) {
        RandomBase src = new RandomBase(c, seed);
        return new LlamaModel(LlamaWeights.load(c, src, device, "random base", linear));
    }

    @Override
    public List<String> names() {
        return new ArrayList<>(values.keySet());
    }

    @Override
    public boolean contains(String name) {
        return values.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        float[] v = values.get(name);
        if (v == null) {
            throw new PocmergeException("random base: no tensor " + name);
        }
        return new TensorInfo(name, Dtype.F32, shapes.get(name), 0, 4L * v.length, null);
    }

    @Override
    public float[] readFloats(String name) {
        info(name);
        return values.get(name).clone();
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType dtype) {
        info(name);
        // create() only borrows the Java array on CPU: duplicate() gives libtorch its own copy (DESIGN.md)
        NDArray borrowed = manager.create(values.get(name), new Shape(shapes.get(name)));
        NDArray owned = dtype == DataType.FLOAT32 ? borrowed.duplicate() : borrowed.toType(dtype, true);
        borrowed.close();
        return owned;
    }

    @Override
    public void close() {}
}
