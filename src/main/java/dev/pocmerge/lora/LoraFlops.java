package dev.pocmerge.lora;

import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaNames;
import dev.pocmerge.lora.LoraTargets.Target;
import java.util.List;
import java.util.Map;

/**
 * Matmul FLOPs of one training step of M adapters (a multiply-add counts 2), with the accounting of the PyTorch
 * peer ({@code ../shared/bench/lora_peer.md}, "FLOP accounting") so GFLOP/s figures compare. With N = M·b·T
 * tokens and P the frozen linear parameters (all projections and lm_head; the embedding is a lookup):
 * <pre>
 *   frozen forward    2·N·P
 *   frozen backward   2·N·(P − Σ in·out of layer 0's q, k, v)   input gradients only; layer 0 reads the embedding
 *   attention fwd     L · 2 · 2·N·T·(heads·d)                   q·kᵀ and probs·v over the full T×T
 *   attention bwd     2 × forward
 *   LoRA forward      2·N·r·Σ(in + out) over the adapted modules
 *   LoRA backward     2 × forward − 2·N·r·Σ in over layer 0's adapted q, k, v (no input gradient there)
 * </pre>
 * Elementwise work (norms, rotary, softmax, SiLU, loss, optimizer, noise) is not counted.
 */
public record LoraFlops(double frozenForward, double frozenBackward, double attentionForward,
        double attentionBackward, double loraForward, double loraBackward) {

    public static LoraFlops of(LlamaConfig c, List<Target> targets, int members, int rowsPerMember, int t, int rank) {
        double n = (double) members * rowsPerMember * t;
        Map<String, long[]> shapes = c.parameterShapes();
        double p = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            if (e.getValue().length == 2 && !e.getKey().equals(LlamaNames.EMBED)) {
                p += (double) e.getValue()[0] * e.getValue()[1];
            }
        }
        if (c.tieWordEmbeddings()) {
            p += (double) c.vocabSize() * c.hiddenSize();
        }
        double layer0Qkv = 0;
        for (String m : new String[] {"q_proj", "k_proj", "v_proj"}) {
            long[] s = shapes.get(LlamaNames.linear(0, m));
            layer0Qkv += (double) s[0] * s[1];
        }
        double attention = c.numHiddenLayers() * 2.0 * 2.0 * n * t * ((double) c.numAttentionHeads() * c.headDim());
        double lora = 0;
        double noInputGrad = 0;
        for (Target tg : targets) {
            lora += 2.0 * n * rank * (tg.in() + tg.out());
            String m = tg.key().module();
            if (tg.key().layer() == 0 && (m.equals("q_proj") || m.equals("k_proj") || m.equals("v_proj"))) {
                noInputGrad += 2.0 * n * rank * tg.in();
            }
        }
        return new LoraFlops(2 * n * p, 2 * n * (p - layer0Qkv), attention, 2 * attention, lora, 2 * lora - noInputGrad);
    }

    public double total() {
        return frozenForward + frozenBackward + attentionForward + attentionBackward + loraForward + loraBackward;
    }
}
