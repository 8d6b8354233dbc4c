package dev.pocmerge.experiments.symmetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.cli.Main;
import dev.pocmerge.core.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** C₂ operators are projections, the model is equivariant on E^G, and projected noise never leaves E^G. */
class SymmetryTest {
    @TempDir
    Path tmp;

    static NDArray random(NDManager m, Shape shape, long seed, DataType dtype) {
        Random rng = new Random(seed);
        double[] v = new double[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * rng.nextGaussian();
        }
        return Tensors.of(m, v, shape, dtype);
    }

    @Test
    void projectionOntoTheFixedPointSpaceIsAProjection() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = random(m, new Shape(50, 2, 2), 1, DataType.FLOAT64);
            NDArray p = C2.projectE(z);
            assertArrayEquals(Tensors.toDoubles(p), Tensors.toDoubles(C2.projectE(p)), 0.0, "P_E P_E = P_E");
            assertArrayEquals(Tensors.toDoubles(p), Tensors.toDoubles(C2.conjugate(p)), 0.0, "P_E z ∈ E^G");
            double[] r = Tensors.toDoubles(z.sub(p));
            double[] e = Tensors.toDoubles(p);
            double dot = 0;
            for (int i = 0; i < r.length; i++) {
                dot += r[i] * e[i];
            }
            assertEquals(0, dot, 1e-10, "z − P_E z ⟂ E^G: the projection is orthogonal");
            assertTrue(SymmetryMetrics.distanceToE(z)[0] > 0.5, "a generic z is not in E^G");
        }
    }

    @Test
    void symmetrisationOperatorIsAProjectionOntoEquivariantModels() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = random(m, new Shape(30, 2, 2), 2, DataType.FLOAT64); // a non-invariant particle set
            NDArray x = random(m, new Shape(2, 40), 3, DataType.FLOAT64);
            UnaryOperator<NDArray> f = v -> TwoByTwoNet.forward(z, v);
            UnaryOperator<NDArray> qf = C2.symmetrise(f);
            double[] once = Tensors.toDoubles(qf.apply(x));
            assertArrayEquals(once, Tensors.toDoubles(C2.symmetrise(qf).apply(x)), 1e-15, "Q_G Q_G f = Q_G f");
            assertArrayEquals(Tensors.toDoubles(C2.act(qf.apply(x))), Tensors.toDoubles(qf.apply(C2.act(x))), 1e-15,
                    "Q_G f is equivariant");
            double[] plain = Tensors.toDoubles(f.apply(x));
            double diff = 0;
            for (int i = 0; i < plain.length; i++) {
                diff = Math.max(diff, Math.abs(plain[i] - once[i]));
            }
            assertTrue(diff > 1e-3, "f itself is not equivariant here, so the checks above are not vacuous");
            NDArray ze = C2.projectE(z); // on E^G every neuron is equivariant, so f already is
            assertArrayEquals(Tensors.toDoubles(C2.act(TwoByTwoNet.forward(ze, x))),
                    Tensors.toDoubles(TwoByTwoNet.forward(ze, C2.act(x))), 1e-15);
        }
    }

    /** Thm 5: from z ∈ E^G with invariant data, the plain drift stays in E^G, so projected noise keeps z there. */
    @Test
    void projectedNoiseKeepsParticlesInTheFixedPointSpaceToFloatPrecision() {
        SymmetricMfld.Hyper h = new SymmetricMfld.Hyper(2.0, 1e-3, 1e-3, 60);
        for (DataType dtype : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray teacher = SymmetryStudy.teacher(m, dtype);
                NDArray xh = random(m, new Shape(2, 60), 4, dtype);
                NDArray x = xh.concat(C2.act(xh), 1);
                NDArray y = TwoByTwoNet.forward(teacher, x);
                NDArray z0 = C2.projectE(random(m, new Shape(100, 2, 2), 5, dtype));
                double[] worst = new double[SymmetricMfld.Method.values().length];
                for (SymmetricMfld.Method method : List.of(SymmetricMfld.Method.PLAIN,
                        SymmetricMfld.Method.PROJECTED_NOISE, SymmetricMfld.Method.EA)) {
                    SymmetricMfld.train(m, method, z0, x, y, h, 7, 10, (step, z) ->
                            worst[method.ordinal()] = Math.max(worst[method.ordinal()],
                                    SymmetryMetrics.distanceToE(z)[1])).close();
                }
                double tol = dtype == DataType.FLOAT64 ? 1e-12 : 1e-5;
                assertTrue(worst[SymmetricMfld.Method.PROJECTED_NOISE.ordinal()] < tol,
                        dtype + " projected noise left E^G by " + worst[SymmetricMfld.Method.PROJECTED_NOISE.ordinal()]);
                assertEquals(0.0, worst[SymmetricMfld.Method.EA.ordinal()], dtype + ": EA projects every step");
                assertTrue(worst[SymmetricMfld.Method.PLAIN.ordinal()] > 1e-2,
                        dtype + ": full noise leaves E^G (" + worst[SymmetricMfld.Method.PLAIN.ordinal()] + ")");
            }
        }
    }

    @Test
    void commandWritesTheStudy() throws Exception {
        Path out = tmp.resolve("sym");
        assertEquals(0, Main.run("symmetries", "--n-list", "20,40", "--steps", "20", "--device", "cpu", "--json",
                "--out", out.toString()));
        List<String> csv = Files.readAllLines(out.resolve("traces.csv"));
        assertEquals("start,method,N,step,test_loss,invariance_mmd2,dist_to_E_mean,dist_to_E_max,rms_to_plain",
                csv.get(0));
        assertEquals(1 + 12 * 3, csv.size(), "12 runs, steps 0, 10, 20");
        for (String f : new String[] {"invariance.png", "coincide.png", "fixed-space.png", "loss.png", "README.md"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertEquals(2, Main.run("symmetries", "--dtype", "int8", "--out", tmp.resolve("bad").toString()));
        assertEquals(2, Main.run("symmetries", "--n-list", "1", "--out", tmp.resolve("bad").toString()));
        assertTrue(!Files.exists(tmp.resolve("bad")));
    }
}
