package dev.pocmerge.lora;

import dev.pocmerge.llama.LlamaConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The tensors one training forward of {@code LlamaModel} with a {@link LoraEnsemble} hook creates for M·b
 * member-major rows of T tokens, op by op in the order the code builds them (llama/ RmsNorm, FrozenLinear,
 * Attention, Rope, Mlp; LoraEnsemble.branch; CausalLmLoss). Each tensor carries two facts that decide how long
 * it lives:
 * <ul>
 *   <li>held: the op returned a DJL NDArray, so the storage lives until the step's manager closes, whether or
 *       not autograd needs it (DJL frees nothing earlier);</li>
 *   <li>saved: autograd's graph keeps it for the backward. PyTorch saves an operand only where an input that
 *       requires a gradient needs it: x·Wᵀ of a frozen W saves W only, x·Aᵀ saves x, softmax saves its output.
 *       Copies made inside a composite op (matmul reshaping a permuted view) are saved but not held.</li>
 * </ul>
 * Measured on this CPU (mallinfo2 in-use bytes right after the forward of config A): within 3 % of the sum of
 * held and saved bytes below. Rows are assumed full (every window = T), the worst case for dropout masks.
 */
final class ForwardTensors {
    /** One tensor: which part of the model made it, its bytes, and what keeps it alive. */
    record Tensor(String part, String what, long bytes, boolean held, boolean saved) {}

    static final String NORMS = "RMSNorm";
    static final String PROJ = "frozen projections";
    static final String LORA = "LoRA branch";
    static final String MASKS = "dropout masks";
    static final String ROPE = "rotary";
    static final String ATTN = "attention scores/probs";
    static final String MIX = "attention mix, MLP, residuals";
    static final String INPUTS = "ids, embeddings, rope tables, mask";
    static final String LOGITS = "logits, log-softmax, loss";

    private static final int F = 4; // activations are float32 whatever the base dtype (FrozenLinear converts)

    private final LlamaConfig c;
    private final int members;
    private final long rows;
    private final long t;
    private final long n;
    private final int rank;
    private final double dropout;
    private final int linBytes;

    /**
     * @param rowsPerMember b, the micro-batch of one member
     * @param linBytes bytes per element of the frozen linear weights: 2 (float16) or 4
     */
    ForwardTensors(LlamaConfig c, int members, int rowsPerMember, int t, int rank, double dropout, int linBytes) {
        this.c = c;
        this.members = members;
        this.rows = (long) members * rowsPerMember;
        this.t = t;
        this.n = rows * t;
        this.rank = rank;
        this.dropout = dropout;
        this.linBytes = linBytes;
    }

    long tokens() {
        return n;
    }

    /** LlamaModel.prepare: ids, rotary tables, the additive mask, the embedding lookup. */
    List<Tensor> prepare() {
        List<Tensor> out = new ArrayList<>();
        out.add(held(INPUTS, "token ids (int64)", n * 8, false));
        out.add(held(INPUTS, "rope cos, sin", 2 * n * c.headDim() * F, true));
        out.add(held(INPUTS, "attention mask (rows, 1, T, T)", rows * t * t * F, false));
        if (linBytes != F) {
            out.add(held(INPUTS, "embedding lookup (base dtype)", n * c.hiddenSize() * linBytes, false));
        }
        out.add(held(INPUTS, "embeddings (float32)", n * c.hiddenSize() * F, false));
        return out;
    }

    /**
     * Decoder layer with LoRA on {@code targeted} (module names). {@code gradIn}: whether the layer's input
     * requires a gradient (false only below the first adapted module, e.g. layer 0 of the plain forward);
     * {@code gradMode}: whether a gradient collector is open (FrozenLinear casts differently).
     */
    List<Tensor> layer(Set<String> targeted, boolean gradIn, boolean gradMode) {
        List<Tensor> out = new ArrayList<>();
        long h = c.hiddenSize();
        long qd = (long) c.numAttentionHeads() * c.headDim();
        long kvd = (long) c.numKeyValueHeads() * c.headDim();
        long inter = c.intermediateSize();
        boolean qkv = targeted.contains("q_proj") || targeted.contains("k_proj") || targeted.contains("v_proj");
        norm(out, gradIn, qkv && dropout == 0);
        boolean gradQkv = gradIn || qkv;
        linear(out, "q_proj", h, qd, targeted, gradMode, gradIn);
        linear(out, "k_proj", h, kvd, targeted, gradMode, gradIn);
        linear(out, "v_proj", h, kvd, targeted, gradMode, gradIn);
        // Rope.apply: neg of one half, cat, x·cos, rotate_half(x)·sin, sum; the output keeps the permuted
        // (rows, T, heads, d) layout of its input, so the GQA reshape that follows copies it
        for (long d : new long[] {qd, kvd}) {
            out.add(held(ROPE, "rotate_half, x·cos, ·sin, sum", (d / 2 + 4 * d) * n * F, false));
        }
        out.add(held(ROPE, "queries regrouped for GQA (copy)", n * qd * F, gradQkv));
        out.add(graphOnly(ROPE, "keysᵀ reshaped by matmul (copy)", n * kvd * F, gradQkv));
        long scores = n * c.numAttentionHeads() * t * F;
        out.add(held(ATTN, "q·kᵀ, ·scale, +mask", 3 * scores, false));
        out.add(held(ATTN, "softmax probs", scores, gradQkv));
        out.add(graphOnly(ATTN, "values reshaped by matmul (copy)", n * kvd * F, gradQkv));
        out.add(held(MIX, "probs·v", n * qd * F, false));
        out.add(held(MIX, "heads merged (copy)", n * qd * F, targeted.contains("o_proj") && dropout == 0));
        linear(out, "o_proj", qd, h, targeted, gradMode, gradQkv);
        boolean gradMid = gradQkv || targeted.contains("o_proj");
        out.add(held(MIX, "residual h = x + attn", n * h * F, gradMid));
        boolean gu = targeted.contains("gate_proj") || targeted.contains("up_proj");
        norm(out, gradMid, gu && dropout == 0);
        linear(out, "gate_proj", h, inter, targeted, gradMode, gradMid);
        linear(out, "up_proj", h, inter, targeted, gradMode, gradMid);
        boolean gradMlp = gradMid || gu;
        out.add(held(MIX, "sigmoid(gate), gate·sigmoid (SiLU)", 2 * n * inter * F, gradMlp));
        out.add(held(MIX, "SiLU·up", n * inter * F, targeted.contains("down_proj") && dropout == 0));
        linear(out, "down_proj", inter, h, targeted, gradMode, gradMlp);
        out.add(held(MIX, "residual out = h + mlp", n * h * F, true));
        return out;
    }

    /** Final norm, lm_head (never hooked) and the per-member loss, always under a gradient collector. */
    List<Tensor> head() {
        List<Tensor> out = new ArrayList<>();
        norm(out, true, false);
        long v = c.vocabSize();
        if (linBytes != F) {
            out.add(held(LOGITS, "lm_head weight upcast to float32", v * c.hiddenSize() * F, true));
        }
        out.add(held(LOGITS, "logits (float32)", n * v * F, false));
        out.add(held(LOGITS, "log-softmax (rows, T−1, V)", rows * (t - 1) * v * F, true));
        out.add(held(LOGITS, "targets, weights, gathered NLL", rows * (t - 1) * (8 + 4 + 3 * F), false));
        return out;
    }

    /**
     * The largest set of gradient buffers alive at once in the backward: at the head the gradient of the
     * log-softmax input and of the logits (2·n·V floats), in attention those of the probs and the scores.
     */
    long backwardTransient() {
        long head = 2 * n * c.vocabSize() * F;
        long attention = 2 * n * c.numAttentionHeads() * t * F;
        return Math.max(head, attention);
    }

    /** The gradient of one layer's input, n·H floats (the recompute path keeps one per layer). */
    long hiddenBytes() {
        return n * c.hiddenSize() * F;
    }

    private void norm(List<Tensor> out, boolean gradIn, boolean outputSaved) {
        long h = c.hiddenSize();
        // variance = x²·mean; x / sqrt(variance + eps) · weight: div saves x and the root, mul by the frozen
        // weight saves nothing of its input
        out.add(held(NORMS, "x², mean, +eps", (h + 2) * n * F, false));
        out.add(held(NORMS, "sqrt", n * F, gradIn));
        out.add(held(NORMS, "x / rms", n * h * F, false));
        out.add(held(NORMS, "· weight (normed)", n * h * F, outputSaved));
    }

    /**
     * FrozenLinear.forward plus, on an adapted module, LoraEnsemble.branch. A float16 weight is upcast to a
     * float32 copy (in·out, whatever the batch) under a gradient collector, which x·Wᵀ then saves for x's
     * gradient; without one, x goes down to float16 and the product back up.
     */
    private void linear(List<Tensor> out, String module, long in, long outDim, Set<String> targeted, boolean gradMode,
            boolean gradIn) {
        if (linBytes != F && gradMode) {
            out.add(held(PROJ, module + " Wᵀ upcast to float32", in * outDim * F, gradIn));
        } else if (linBytes != F) {
            out.add(held(PROJ, module + " input to base dtype", n * in * linBytes, false));
            out.add(held(PROJ, module + " x·Wᵀ (base dtype)", n * outDim * linBytes, false));
        }
        out.add(held(PROJ, module + " x·Wᵀ", n * outDim * F, false));
        if (!targeted.contains(module)) {
            return;
        }
        if (dropout > 0) {
            // per member: uniform draw, ≥ p (bool), to float, ·1/(1−p); then the M blocks concatenated
            out.add(held(MASKS, module + " mask draws", n * in * (F + 1 + F + F), members == 1 && gradIn));
            if (members > 1) {
                out.add(held(MASKS, module + " mask (M blocks)", n * in * F, gradIn));
            }
            out.add(held(MASKS, module + " dropout(x)", n * in * F, true));
        }
        out.add(held(LORA, module + " x·Aᵀ", n * rank * F, false));
        out.add(held(LORA, module + " ·α/r", n * rank * F, true));
        out.add(held(LORA, module + " ·Bᵀ, + base", 2 * n * outDim * F, false));
    }

    private static Tensor held(String part, String what, long bytes, boolean saved) {
        return new Tensor(part, what, bytes, true, saved);
    }

    private static Tensor graphOnly(String part, String what, long bytes, boolean saved) {
        return new Tensor(part, what, bytes, false, saved);
    }
}
