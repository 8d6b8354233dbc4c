package dev.pocmerge.lora;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * LoRA gradients through a float16 frozen base (--base-dtype f16, the CUDA default) against the same base in
 * float32. DJL's toType cuts the autograd graph, so under a collector the f16 weights are upcast per GEMM and the
 * difference is the weights' float16 rounding alone (before that fix this path threw on the first backward).
 * Prints the relative L2 error for a shallow and a deeper tiny model.
 */
class BaseDtypeGradientTest {
    @Test
    void float16BaseGradientsStayWithinAPercentOfFloat32() {
        for (int layers : new int[] {2, 8}) {
            LlamaConfig c = TestModels.config(64, 128, layers, 4, 2, 16, 97, false, 10000, null);
            double[] e32 = null;
            double err2 = 0;
            double ref2 = 0;
            double[][] g32 = grads(c, DataType.FLOAT32);
            double[][] g16 = grads(c, DataType.FLOAT16);
            for (int i = 0; i < g32.length; i++) {
                for (int j = 0; j < g32[i].length; j++) {
                    err2 += (g16[i][j] - g32[i][j]) * (g16[i][j] - g32[i][j]);
                    ref2 += g32[i][j] * g32[i][j];
                }
            }
            double rel = Math.sqrt(err2 / ref2);
            System.out.printf("layers %d: |g_f16 - g_f32| / |g_f32| = %.2e%n", layers, rel);
            assertTrue(rel > 0, "the float16 path must really run in half precision");
            assertTrue(rel < 1e-2, layers + " layers: relative gradient error " + rel);
        }
    }

    private static double[][] grads(LlamaConfig c, DataType base) {
        try (LlamaModel model = LoraFixtures.model(c, 3, base);
                NDManager root = model.weights().manager().newSubManager()) {
            LoraEnsemble lora = new LoraEnsemble(root, LoraTargets.parse(LoraFixtures.ALL, c), new int[] {0, 1}, 8, 16,
                    0.0, new MemberStreams(2), DataType.FLOAT32);
            LoraGradientTest.randomizeB(lora, 9);
            MemberBatch batch = LoraFixtures.batch(LoraFixtures.examples(4, 20, 32, c.vocabSize(), 5), 2, 2);
            try (NDManager sm = root.newSubManager()) {
                new EnsembleStep(model, lora, false).accumulate(sm, batch, 0, 0, 1.0);
            }
            List<NDArray> p = lora.parameters();
            double[][] out = new double[p.size()][];
            for (int i = 0; i < p.size(); i++) {
                out[i] = Tensors.toDoubles(p.get(i).getGradient());
            }
            return out;
        }
    }
}
