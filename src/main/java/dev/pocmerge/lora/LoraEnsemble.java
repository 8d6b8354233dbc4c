package dev.pocmerge.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.llama.LinearHook;
import dev.pocmerge.lora.LoraTargets.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * M LoRA adapters over one frozen base, the ensemble axis first: per adapted module A (M, r, in) and
 * B (M, out, r), the only arrays that require a gradient. As a {@link LinearHook} on (M·b, T, in) member-major
 * rows it adds, to the frozen output x·W0ᵀ computed once for all M·b rows, the branch of each row's own member:
 * <pre>  h = x·W0ᵀ + (α/r)·dropout(x)·A_mᵀ·B_mᵀ        (PEFT tuners/lora/layer.py, Linear.forward)</pre>
 * as one batched matmul over the member axis (no loop over M). Initialisation is PEFT's: A kaiming-uniform with
 * a = √5, i.e. U(±1/√in), B zero; member m's A comes from its own stream, so it does not depend on M.
 */
public final class LoraEnsemble implements AutoCloseable {
    private final NDManager manager;
    private final List<Target> targets;
    private final Map<ModuleKey, Integer> index = new HashMap<>();
    private final int[] members;
    private final int rank;
    private final double alpha;
    private final double dropout;
    private final MemberStreams streams;
    private final DataType dtype;
    private final NDArray[] a;
    private final NDArray[] b;
    private final NDArray scale;
    private final NDArray keepScale;

    /** A fresh ensemble for the global member indices {@code members}, on {@code parent}'s device. */
    public LoraEnsemble(NDManager parent, List<Target> targets, int[] members, int rank, double alpha,
            double dropout, MemberStreams streams, DataType dtype) {
        this.manager = parent.newSubManager();
        this.targets = List.copyOf(targets);
        this.members = members.clone();
        this.rank = rank;
        this.alpha = alpha;
        this.dropout = dropout;
        this.streams = streams;
        this.dtype = dtype;
        this.a = new NDArray[targets.size()];
        this.b = new NDArray[targets.size()];
        int mm = members.length;
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            index.put(t.key(), i);
            float[] init = new float[mm * rank * t.in()];
            double bound = 1.0 / Math.sqrt(t.in()); // kaiming_uniform_(a=√5): gain·√(3/fan_in) = 1/√in
            for (int s = 0; s < mm; s++) {
                SplittableRandom rng = streams.java(MemberStreams.Purpose.INIT, members[s], t.key().layer(),
                        ModuleKey.order(t.key().module()));
                int off = s * rank * t.in();
                for (int j = 0; j < rank * t.in(); j++) {
                    init[off + j] = (float) ((2 * rng.nextDouble() - 1) * bound);
                }
            }
            a[i] = Tensors.of(manager, init, new Shape(mm, rank, t.in()), dtype);
            b[i] = manager.zeros(new Shape(mm, t.out(), rank), dtype);
            a[i].setRequiresGradient(true);
            b[i].setRequiresGradient(true);
        }
        this.scale = Tensors.k(a.length > 0 ? a[0] : manager.zeros(new Shape(), dtype), alpha / rank);
        this.keepScale = Tensors.k(scale, dropout < 1 ? 1.0 / (1.0 - dropout) : 0.0);
    }

    public List<Target> targets() {
        return targets;
    }

    public int[] members() {
        return members.clone();
    }

    public int slots() {
        return members.length;
    }

    public int rank() {
        return rank;
    }

    public double alpha() {
        return alpha;
    }

    public double dropout() {
        return dropout;
    }

    public DataType dtype() {
        return dtype;
    }

    public NDManager manager() {
        return manager;
    }

    /** The trainable arrays in a fixed order (per target: A then B), each (M, ...). */
    public List<NDArray> parameters() {
        List<NDArray> p = new ArrayList<>();
        for (int i = 0; i < a.length; i++) {
            p.add(a[i]);
            p.add(b[i]);
        }
        return p;
    }

    /** Overwrites slot {@code slot} of one module with {@code f} (tests, resuming from PEFT files). */
    public void assign(int slot, ModuleKey key, LoraFactors f) {
        int i = indexOf(key);
        Target t = targets.get(i);
        if (f.rank() != rank || f.in() != t.in() || f.out() != t.out()) {
            throw new IllegalArgumentException(key + ": factors (" + f.rank() + ", " + f.in() + ", " + f.out()
                    + ") do not fit (" + rank + ", " + t.in() + ", " + t.out() + ")");
        }
        try (NDManager tmp = manager.newSubManager()) {
            a[i].set(new NDIndex("{}", slot), Tensors.of(tmp, f.a(), new Shape(rank, t.in()), dtype));
            b[i].set(new NDIndex("{}", slot), Tensors.of(tmp, f.b(), new Shape(t.out(), rank), dtype));
        }
    }

    /** Slot {@code slot}'s adapter in PEFT layout (float32 copies on the host). */
    public LoraAdapter adapter(int slot, String baseModel, int layers) {
        TreeMap<ModuleKey, LoraFactors> modules = new TreeMap<>();
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            try (NDManager tmp = manager.newSubManager()) {
                NDArray ai = a[i].get(new NDIndex("{}", slot));
                NDArray bi = b[i].get(new NDIndex("{}", slot));
                ai.attach(tmp);
                bi.attach(tmp);
                modules.put(t.key(), new LoraFactors(rank, t.in(), t.out(), floats(ai), floats(bi)));
            }
        }
        LoraSettings s = new LoraSettings(rank, alpha, dropout, LoraTargets.peftTargetModules(targets, layers),
                baseModel);
        return new LoraAdapter(s, modules);
    }

    private static float[] floats(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 ? x.toFloatArray() : x.toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** The hook without dropout (validation, inference with the M members on M·b rows). */
    public LinearHook evalHook() {
        return (module, layer, x, base) -> branch(module, layer, x, base, null, 0, 0);
    }

    /**
     * The training hook: dropout on, member s's mask at (optimizer step, micro-batch, layer, module) drawn from
     * its own stream over its own window of {@code batch}. Recomputing a layer with the same hook redraws the
     * same masks.
     */
    public LinearHook trainingHook(MemberBatch batch, long step, int micro) {
        if (dropout <= 0) {
            return evalHook();
        }
        return (module, layer, x, base) -> branch(module, layer, x, base, batch, step, micro);
    }

    private NDArray branch(String module, int layer, NDArray x, NDArray base, MemberBatch batch, long step, int micro) {
        Integer i = index.get(new ModuleKey(layer, module));
        if (i == null) {
            return base;
        }
        Shape s = x.getShape();
        long rows = s.get(0);
        long t = s.get(1);
        long in = s.get(2);
        int mm = members.length;
        if (rows % mm != 0) {
            throw new IllegalArgumentException(rows + " rows are not " + mm + " member blocks");
        }
        NDArray xin = batch == null ? x : x.mul(mask(x.getManager(), batch, t, in, step, micro, layer, module));
        // the transposed views would belong to the parameters' manager and pile up there: give them to this step
        NDArray at = a[i].transpose(0, 2, 1);
        NDArray bt = b[i].transpose(0, 2, 1);
        at.attach(x.getManager());
        bt.attach(x.getManager());
        NDArray low = xin.reshape(mm, rows / mm * t, in).matMul(at).mul(scale); // (M, bT, r)
        NDArray up = low.matMul(bt); // (M, bT, out)
        return base.add(up.reshape(rows, t, base.getShape().get(2)));
    }

    /** (M·b, T, in) inverted-dropout mask: 0 or 1/(1−p); each slot drawn over its window, ones on the rest. */
    private NDArray mask(NDManager m, MemberBatch batch, long t, long in, long step, int micro, int layer,
            String module) {
        List<NDArray> parts = new ArrayList<>();
        long b = batch.rowsPerSlot();
        for (int s = 0; s < members.length; s++) {
            int w = batch.windows()[s];
            NDArray u = streams.uniform(m, members[s], new Shape(b, w, in), dtype, step, micro, layer,
                    ModuleKey.order(module));
            NDArray keep = u.gte(Tensors.k(u, dropout)).toType(dtype, false).mul(keepScale);
            if (w < t) {
                keep = NDArrays.concat(new NDList(m.ones(new Shape(b, t - w, in), dtype), keep), 1);
            }
            parts.add(keep);
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0);
    }

    private int indexOf(ModuleKey key) {
        Integer i = index.get(key);
        if (i == null) {
            throw new IllegalArgumentException("no adapter on " + key);
        }
        return i;
    }

    @Override
    public void close() {
        manager.close();
    }
}
