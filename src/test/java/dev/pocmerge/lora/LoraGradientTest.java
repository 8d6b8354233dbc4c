package dev.pocmerge.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.lora.LoraTargets.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** LoRA gradients through the tiny Llama: autograd vs float64 central differences; recompute vs plain. */
class LoraGradientTest {
    private static final int M = 3;

    /** Gives every B random values so that A's gradient is not zero. */
    static void randomizeB(LoraEnsemble lora, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int s = 0; s < lora.slots(); s++) {
            LoraAdapter ad = lora.adapter(s, "x", 2);
            for (var e : ad.modules().entrySet()) {
                LoraFactors f = e.getValue();
                float[] b = new float[f.b().length];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (0.3 * r.nextGaussian());
                }
                lora.assign(s, e.getKey(), new LoraFactors(f.rank(), f.in(), f.out(), f.a(), b));
            }
        }
    }

    @Test
    void gradientsOfAAndBMatchFloat64CentralDifferences() {
        LlamaConfig c = LoraFixtures.gqa();
        try (LlamaModel model = LoraFixtures.model(c, 11, DataType.FLOAT64);
                NDManager root = model.weights().manager().newSubManager()) {
            List<Target> targets = LoraTargets.parse(LoraFixtures.ALL, c);
            LoraEnsemble lora = new LoraEnsemble(root, targets, new int[] {0, 4, 7}, 4, 8, 0.0,
                    new MemberStreams(5), DataType.FLOAT64);
            randomizeB(lora, 3);
            MemberBatch batch = LoraFixtures.batch(LoraFixtures.examples(M * 2, 5, 9, c.vocabSize(), 9), M, 2);
            EnsembleStep step = new EnsembleStep(model, lora, false);
            try (NDManager sm = root.newSubManager()) {
                step.accumulate(sm, batch, 0, 0, 1.0);
            }
            List<NDArray> params = lora.parameters();
            SplittableRandom pick = new SplittableRandom(1);
            double h = 1e-5;
            int checked = 0;
            double worst = 0;
            for (int pi = 0; pi < params.size(); pi++) {
                NDArray p = params.get(pi);
                double[] grad = Tensors.toDoubles(p.getGradient());
                for (int trial = 0; trial < 2; trial++) {
                    int j = pick.nextInt(grad.length);
                    double up = loss(step, root, batch, p, j, h);
                    double down = loss(step, root, batch, p, j, -h);
                    double fd = (up - down) / (2 * h);
                    double err = Math.abs(fd - grad[j]) / Math.max(1e-3, Math.abs(fd));
                    worst = Math.max(worst, err);
                    assertTrue(err < 1e-6, "param " + pi + " index " + j + ": autograd " + grad[j] + " vs FD " + fd);
                    checked++;
                }
            }
            assertEquals(params.size() * 2, checked);
            assertTrue(params.size() == 2 * 7 * c.numHiddenLayers(), "all seven modules in every layer");
        }
    }

    /** Σ_s L_s with coordinate j of p shifted by delta (restored afterwards). */
    private static double loss(EnsembleStep step, NDManager root, MemberBatch batch, NDArray p, int j, double delta) {
        try (NDManager sm = root.newSubManager()) {
            double[] d = new double[(int) p.size()];
            d[j] = delta;
            NDArray shift = Tensors.of(sm, d, p.getShape(), p.getDataType());
            p.addi(shift);
            double total = 0;
            for (double l : step.evaluate(sm, batch)) {
                total += l;
            }
            p.subi(shift);
            return total;
        }
    }

    @Test
    void recomputedGradientsEqualThePlainPathWithDropout() {
        LlamaConfig c = LoraFixtures.gqa();
        try (LlamaModel model = LoraFixtures.model(c, 12, DataType.FLOAT32);
                NDManager root = model.weights().manager().newSubManager()) {
            List<Target> targets = LoraTargets.parse("q_proj,v_proj,o_proj,up_proj,down_proj", c);
            MemberBatch batch = LoraFixtures.batch(LoraFixtures.examples(M * 2, 4, 10, c.vocabSize(), 2), M, 2);
            List<double[]> plain = grads(model, root, targets, batch, false);
            List<double[]> recomputed = grads(model, root, targets, batch, true);
            for (int i = 0; i < plain.size(); i++) {
                double scale = 0;
                for (double v : plain.get(i)) {
                    scale = Math.max(scale, Math.abs(v));
                }
                assertTrue(scale > 0, "param " + i + " has a gradient");
                for (int j = 0; j < plain.get(i).length; j++) {
                    assertEquals(plain.get(i)[j], recomputed.get(i)[j], 1e-5 * scale, "param " + i + "[" + j + "]");
                }
            }
        }
    }

    private static List<double[]> grads(LlamaModel model, NDManager root, List<Target> targets, MemberBatch batch,
            boolean recompute) {
        try (LoraEnsemble lora = new LoraEnsemble(root, targets, new int[] {1, 2, 3}, 4, 8, 0.3, new MemberStreams(8),
                DataType.FLOAT32)) {
            randomizeB(lora, 4);
            EnsembleStep step = new EnsembleStep(model, lora, recompute);
            try (NDManager sm = root.newSubManager()) {
                step.accumulate(sm, batch, 3, 1, 0.5);
                step.accumulate(sm, batch, 3, 2, 0.5); // accumulation over two micro-batches
            }
            List<double[]> out = new ArrayList<>();
            for (NDArray p : lora.parameters()) {
                out.add(Tensors.toDoubles(p.getGradient()));
            }
            return out;
        }
    }
}
