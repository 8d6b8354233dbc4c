package dev.pocmerge.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.llama.LinearHook;
import dev.pocmerge.llama.LlamaModel;
import java.util.ArrayList;
import java.util.List;

/**
 * One micro-batch of all M members through the frozen base: one forward, one backward, the LoRA gradients
 * accumulated into the parameters. Two ways, with the same gradients:
 * <ul>
 *   <li>plain: the whole forward under one gradient collector;</li>
 *   <li>recompute ({@code --recompute}): the forward runs without a graph keeping only each decoder layer's
 *       input; the backward then walks the layers from the top, recomputing layer l under autograd from its
 *       input x_l and back-propagating {@code Σ layer_l(x_l) ⊙ g_{l+1}}, which yields the LoRA gradients of
 *       layer l and g_l = ∂L/∂x_l. Peak activation memory is one layer's graph plus L layer inputs.</li>
 * </ul>
 */
public final class EnsembleStep {
    private final LlamaModel model;
    private final LoraEnsemble lora;
    private final boolean recompute;

    public EnsembleStep(LlamaModel model, LoraEnsemble lora, boolean recompute) {
        this.model = model;
        this.lora = lora;
        this.recompute = recompute;
    }

    /**
     * Adds ∇(weight·Σ_s L_s) to every parameter's gradient for this micro-batch; returns L_s per slot.
     * {@code step}/{@code micro} key the dropout masks.
     */
    public double[] accumulate(NDManager sm, MemberBatch batch, long step, int micro, double weight) {
        LinearHook hook = lora.trainingHook(batch, step, micro);
        return recompute ? recomputed(sm, batch, hook, weight) : plain(sm, batch, hook, weight);
    }

    /** L_s per slot without dropout or gradients (validation). */
    public double[] evaluate(NDManager sm, MemberBatch batch) {
        NDArray logits = model.forward(sm, batch.tokens(), null, lora.evalHook(), false);
        return Tensors.toDoubles(CausalLmLoss.perMember(logits, batch));
    }

    private double[] plain(NDManager sm, MemberBatch batch, LinearHook hook, double weight) {
        try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray logits = model.forward(sm, batch.tokens(), null, hook, false);
            NDArray losses = CausalLmLoss.perMember(logits, batch);
            gc.backward(losses.sum().mul(Tensors.k(losses, weight)));
            return Tensors.toDoubles(losses);
        }
    }

    private double[] recomputed(NDManager sm, MemberBatch batch, LinearHook hook, double weight) {
        int layers = model.config().numHiddenLayers();
        LlamaModel.Prepared p = model.prepare(sm, batch.tokens(), null);
        List<NDArray> inputs = new ArrayList<>();
        NDArray x = p.embeddings();
        for (int l = 0; l < layers; l++) { // no collector open: no graph is recorded
            inputs.add(x);
            int layer = l;
            x = inLayerScope(sm, x, in -> model.layer(layer, in, p, null, hook));
        }
        double[] result = new double[batch.slots()];
        x.setRequiresGradient(true);
        NDArray g = inLayerScope(sm, x, top -> { // the head's logits die before the layers are recomputed
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray losses = CausalLmLoss.perMember(model.head(top), batch);
                gc.backward(losses.sum().mul(Tensors.k(losses, weight)));
                System.arraycopy(Tensors.toDoubles(losses), 0, result, 0, result.length);
            }
            NDArray gl = top.getGradient();
            gl.attach(top.getManager());
            return gl;
        });
        for (int l = layers - 1; l >= 0; l--) {
            NDArray xl = inputs.get(l);
            xl.setRequiresGradient(true);
            NDArray up = g;
            int layer = l;
            g = inLayerScope(sm, xl, in -> {
                try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                    NDArray y = model.layer(layer, in, p, null, hook);
                    gc.backward(y.mul(up).sum());
                }
                NDArray gl = in.getGradient();
                gl.attach(in.getManager());
                return gl;
            });
            up.close();
        }
        return result;
    }

    /**
     * Runs {@code f} with {@code x}'s results going to a manager of their own, closed afterwards: only the
     * returned array survives (moved to {@code sm}). Without it, every intermediate of every layer would stay
     * in the step's manager until the step ends, and recomputation would save no memory.
     */
    private static NDArray inLayerScope(NDManager sm, NDArray x, java.util.function.Function<NDArray, NDArray> f) {
        try (NDManager lm = sm.newSubManager()) {
            lm.tempAttachAll(x);
            NDArray out = f.apply(x);
            out.attach(sm);
            return out;
        }
    }

    /**
     * Per-member gradient-norm clipping (HF {@code clip_grad_norm_} with the norm over member s's own
     * parameters only): g_s ← g_s·min(1, c/(‖g_s‖ + 1e−6)). Returns ‖g_s‖ before clipping. c ≤ 0 only measures.
     */
    public static double[] clipPerMember(NDManager sm, List<NDArray> grads, int slots, double maxNorm) {
        NDArray sq = null;
        for (NDArray gr : grads) {
            NDArray s = gr.reshape(slots, -1).square().sum(new int[] {1});
            s.attach(sm);
            sq = sq == null ? s : sq.add(s);
        }
        NDArray norm = sq.sqrt();
        double[] norms = Tensors.toDoubles(norm);
        if (maxNorm > 0) {
            NDArray coef = Tensors.k(norm, maxNorm).div(norm.add(Tensors.k(norm, 1e-6)))
                    .minimum(Tensors.k(norm, 1.0));
            for (NDArray gr : grads) {
                long[] dims = new long[(int) gr.getShape().dimension()];
                java.util.Arrays.fill(dims, 1);
                dims[0] = slots;
                gr.muli(coef.reshape(new Shape(dims)));
            }
        }
        return norms;
    }
}
