package dev.pocmerge.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.pocmerge.llama.LinearHook;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.TestModels;
import dev.pocmerge.llama.TokenBatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The FLOP model against counts that do not go through its formula: numbers worked out by hand for a tiny
 * config, and the frozen forward counted from the matmul shapes a real forward of that config runs.
 */
class LoraFlopsTest {
    // hidden 8, intermediate 12, 2 layers, 2 heads of 4, 1 kv head, vocab 10, untied
    static final LlamaConfig TINY = TestModels.config(8, 12, 2, 2, 1, 4, 10, false, 10000, null);
    static final int M = 2;
    static final int B = 3;
    static final int T = 5;
    static final int R = 2;

    @Test
    void handCountedTinyStep() {
        LoraFlops f = LoraFlops.of(TINY, LoraTargets.parse("q_proj,v_proj,down_proj", TINY), M, B, T, R);
        // N = M·b·T = 2·3·5 = 30 tokens.
        // per layer (out × in): q 8×8 = 64, k 4×8 = 32, v 4×8 = 32, o 8×8 = 64, gate 12×8 = 96, up 12×8 = 96,
        // down 8×12 = 96: 480; two layers 960; lm_head 10×8 = 80; P = 1,040 (the embedding is a lookup).
        assertEquals(62_400.0, f.frozenForward()); // 2·30·1040
        // input gradients only, none for layer 0's q, k, v (64 + 32 + 32 = 128): 2·30·(1040 − 128)
        assertEquals(54_720.0, f.frozenBackward());
        // q·kᵀ per (row, head): (T×d)·(d×T) = 5·5·4 = 100 multiply-adds; 6 rows × 2 heads: 1,200; probs·v the same;
        // 2 products × 2 FLOP × 1,200 × 2 layers
        assertEquals(9_600.0, f.attentionForward());
        assertEquals(19_200.0, f.attentionBackward());
        // LoRA x·Aᵀ (r × in) then ·Bᵀ (out × r): 2·N·r·(in + out); q 8+8, v 8+4, down 12+8 = 48 per layer, 96 in all:
        // 2·30·2·96
        assertEquals(11_520.0, f.loraForward());
        // twice the forward, less the input gradient of layer 0's adapted q and v (in 8 each): 2·30·2·16 = 1,920
        assertEquals(21_120.0, f.loraBackward());
        assertEquals(178_560.0, f.total()); // 62,400 + 54,720 + 9,600 + 19,200 + 11,520 + 21,120
    }

    /** frozenForward = 2 × the multiply-adds of every projection and lm_head, read off a real forward's shapes. */
    @Test
    void frozenForwardIsWhatAForwardMultiplies() {
        AtomicLong macs = new AtomicLong();
        LinearHook count = (module, layer, x, y) -> {
            long rows = x.getShape().get(0) * x.getShape().get(1);
            macs.addAndGet(rows * x.getShape().get(2) * y.getShape().get(2));
            return y;
        };
        try (LlamaModel m = TestModels.model(TINY, 3); NDManager step = m.weights().manager().newSubManager()) {
            long[][] rows = new long[M * B][];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = TestModels.randomIds(T, TINY.vocabSize(), r);
            }
            NDArray hidden = m.hidden(step, TokenBatch.of(rows), null, count);
            NDArray logits = m.logits(hidden);
            // lm_head is never hooked: its multiply-adds from the shapes it maps (rows·T, hidden) → (rows·T, vocab)
            macs.addAndGet(hidden.getShape().get(0) * hidden.getShape().get(1) * hidden.getShape().get(2)
                    * logits.getShape().get(2));
        }
        LoraFlops f = LoraFlops.of(TINY, LoraTargets.parse("q_proj", TINY), M, B, T, R);
        assertEquals(2.0 * macs.get(), f.frozenForward());
    }
}
