package dev.pocmerge.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.io.Dtype;
import dev.pocmerge.io.TensorInfo;
import dev.pocmerge.io.TensorSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Float32 tensors held in memory: random bases for benchmarks and tests that need no file. */
public final class MemoryTensorSource implements TensorSource {
    private final Map<String, float[]> values = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    public MemoryTensorSource put(String name, long[] shape, float[] v) {
        values.put(name, v);
        shapes.put(name, shape);
        return this;
    }

    public static MemoryTensorSource of(LlamaConfig c, Map<String, float[]> weights) {
        MemoryTensorSource s = new MemoryTensorSource();
        Map<String, long[]> shapes = c.parameterShapes();
        weights.forEach((k, v) -> s.put(k, shapes.get(k), v));
        return s;
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
        if (!contains(name)) {
            throw new PocmergeException("memory: no tensor " + name);
        }
        long n = values.get(name).length * 4L;
        return new TensorInfo(name, Dtype.F32, shapes.get(name), 0, n, null);
    }

    @Override
    public float[] readFloats(String name) {
        info(name);
        return values.get(name).clone();
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType dtype) {
        info(name);
        NDArray f = Tensors.of(manager, values.get(name), new Shape(shapes.get(name)), DataType.FLOAT32);
        if (dtype == DataType.FLOAT32) {
            return f;
        }
        NDArray converted = f.toType(dtype, false);
        f.close();
        return converted;
    }

    @Override
    public void close() {}
}
