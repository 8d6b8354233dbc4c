package dev.pocmerge.experiments.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.cli.Main;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.meanfield.Evaluation;
import dev.pocmerge.meanfield.Neuron;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Neuron matching keeps the function, lowers the paired distance, and the command writes its report. */
class WeightInterpolationTest {
    @TempDir
    Path tmp;

    @Test
    void alignedNetworkIsTheSameFunctionAndCloserNeuronByNeuron() {
        int n = 40;
        int d = 4; // circles: d = 2 features + bias + outer coordinate
        Random rng = new Random(5);
        double[] x1 = new double[n * d];
        double[] x2 = new double[n * d];
        for (int i = 0; i < n * d; i++) {
            x1[i] = rng.nextGaussian();
            x2[i] = rng.nextGaussian();
        }
        double[] z = new double[7 * d];
        for (int s = 0; s < 7; s++) {
            z[s * d] = rng.nextGaussian();
            z[s * d + 1] = rng.nextGaussian();
            z[s * d + 2] = 1; // Z2 rows are [z, 1, 0]
        }
        Neuron neuron = Neuron.paper(10);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z2 = Tensors.of(m, z, new Shape(7, d), DataType.FLOAT64);
            double[] f2 = Evaluation.predict(neuron, Tensors.of(m, x2, new Shape(1, n, d), DataType.FLOAT64), z2)[0];
            double last = Double.POSITIVE_INFINITY;
            for (NeuronMatching mt : NeuronMatching.values()) {
                double[] a = mt.align(x1, x2, n, d);
                double[] fa = Evaluation.predict(neuron, Tensors.of(m, a, new Shape(1, n, d), DataType.FLOAT64),
                        z2)[0];
                for (int s = 0; s < 7; s++) {
                    assertEquals(f2[s], fa[s], 1e-12, mt + ": permuting and flipping neurons keeps f");
                }
                double dist = NeuronMatching.meanSquaredDistance(x1, a, n, d);
                assertTrue(dist < last, mt + " distance " + dist + " not below " + last);
                last = dist;
            }
        }
    }

    @Test
    void commandWritesCurvesWithEndpointsEqualToTheMembers() throws Exception {
        Path out = tmp.resolve("interp");
        assertEquals(0, Main.run("interpolate", "--N", "20", "--pairs", "1", "--alphas", "3", "--steps", "30",
                "--device", "cpu",
                "--json", "--out", out.toString()));
        List<String> csv = Files.readAllLines(out.resolve("interpolation.csv"));
        assertEquals("regime,matching,alpha,test_loss,test_acc,train_loss", csv.get(0));
        assertEquals(1 + 2 * 3 * 3, csv.size(), "2 regimes × 3 matchings × 3 α");
        // at α = 0 every pairing is θ₁ itself: the same loss in all three curves
        String[] a = csv.get(1).split(",");
        String[] b = csv.get(4).split(",");
        String[] c = csv.get(7).split(",");
        assertEquals("0.00000", a[2]);
        assertEquals(Double.parseDouble(a[3]), Double.parseDouble(b[3]), 1e-6);
        assertEquals(Double.parseDouble(a[3]), Double.parseDouble(c[3]), 1e-6);
        assertTrue(Files.readString(out.resolve("README.md")).contains("interpolate --N 20"));
        assertTrue(Files.size(out.resolve("interpolation.png")) > 10_000);
        assertEquals(2, Main.run("interpolate", "--pairs", "0", "--out", tmp.resolve("bad").toString()));
        assertEquals(2, Main.run("interpolate", "--alphas", "1", "--out", tmp.resolve("bad").toString()));
        assertTrue(!Files.exists(tmp.resolve("bad")));
    }
}
