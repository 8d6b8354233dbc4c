package dev.pocmerge.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.llama.LinearHook;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Frozen adapters applied to every row (inference: generate, evaluation): for each adapted module
 * <pre>  h = x·W0ᵀ + Σ_j w_j·(α_j/r_j)·x·A_jᵀ·B_jᵀ</pre>
 * with weight w_j = 1 for PEFT's several-active-adapters sum, or 1/M for the output of the PoC merge applied
 * without merging. The adapters are concatenated along the rank once (Aᵀ (in, R), (w·α/r·B)ᵀ (R, out),
 * contiguous), so each module costs two matmuls whatever the number of adapters.
 */
public final class AdapterHook implements LinearHook, AutoCloseable {
    private final NDManager manager;
    private final Map<ModuleKey, NDArray[]> factors = new HashMap<>();

    private AdapterHook(NDManager manager) {
        this.manager = manager;
    }

    /** Every adapter with weight 1 (PEFT's sum of active adapters). */
    public static AdapterHook sum(NDManager parent, List<LoraAdapter> adapters, DataType dtype) {
        double[] w = new double[adapters.size()];
        java.util.Arrays.fill(w, 1.0);
        return weighted(parent, adapters, w, dtype);
    }

    public static AdapterHook weighted(NDManager parent, List<LoraAdapter> adapters, double[] weights, DataType dtype) {
        AdapterHook h = new AdapterHook(parent.newSubManager());
        TreeSet<ModuleKey> keys = new TreeSet<>();
        adapters.forEach(a -> keys.addAll(a.modules().keySet()));
        for (ModuleKey k : keys) {
            List<float[]> as = new ArrayList<>();
            List<float[]> bs = new ArrayList<>();
            List<Integer> ranks = new ArrayList<>();
            List<Double> scales = new ArrayList<>();
            int in = 0;
            int out = 0;
            for (int j = 0; j < adapters.size(); j++) {
                LoraFactors f = adapters.get(j).modules().get(k);
                if (f == null) {
                    continue;
                }
                in = f.in();
                out = f.out();
                as.add(f.a());
                bs.add(f.b());
                ranks.add(f.rank());
                scales.add(weights[j] * adapters.get(j).settings().scale());
            }
            int total = ranks.stream().mapToInt(Integer::intValue).sum();
            float[] at = new float[in * total]; // Aᵀ (in, R)
            float[] bt = new float[total * out]; // (scale·B)ᵀ (R, out)
            int off = 0;
            for (int j = 0; j < as.size(); j++) {
                int r = ranks.get(j);
                float[] a = as.get(j);
                float[] b = bs.get(j);
                double s = scales.get(j);
                for (int i = 0; i < r; i++) {
                    for (int c = 0; c < in; c++) {
                        at[c * total + off + i] = a[i * in + c];
                    }
                    for (int o = 0; o < out; o++) {
                        bt[(off + i) * out + o] = (float) (s * b[o * r + i]);
                    }
                }
                off += r;
            }
            h.factors.put(k, new NDArray[] {Tensors.of(h.manager, at, new Shape(in, total), dtype),
                    Tensors.of(h.manager, bt, new Shape(total, out), dtype)});
        }
        return h;
    }

    @Override
    public NDArray adjust(String module, int layer, NDArray input, NDArray baseOutput) {
        NDArray[] f = factors.get(new ModuleKey(layer, module));
        if (f == null) {
            return baseOutput;
        }
        return baseOutput.add(input.matMul(f[0]).matMul(f[1]));
    }

    @Override
    public void close() {
        manager.close();
    }
}
