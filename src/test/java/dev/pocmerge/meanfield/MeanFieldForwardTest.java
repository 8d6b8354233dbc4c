package dev.pocmerge.meanfield;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.Tensors;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link MeanField#forward} and {@link MeanField#objective} against the paper's formulas evaluated in plain float64
 * Java loops over the particles: {@code f_m(z) = (1/N)·Σ_i g(x_{m,i,D})·tanh(w_{m,i}·z + b_{m,i})} with
 * x = (w ∈ R^d, b, x_D), g(a) = R·tanh(a) for the paper neuron and g(a) = a for the classic one (written out
 * here, not taken from {@link Neuron}).
 */
class MeanFieldForwardTest {
    private static final double R = 7.5;

    /** The neuron's outer factor g, written from the paper, independent of Neuron's code. */
    private static double g(String neuron, double a) {
        return neuron.equals("paper") ? R * Math.tanh(a) : a;
    }

    private static Neuron neuron(String name) {
        return name.equals("paper") ? Neuron.paper(R) : Neuron.classic();
    }

    /** f_m(z) from particles x[m][i][c] (c < d: w, c = d: b, c = d+1: x_D) at one point z. */
    static double plainForward(String neuron, double[] x, int m, int n, int d, double[] z, int zOff) {
        int dd = d + 2;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int off = (m * n + i) * dd;
            double pre = x[off + d];
            for (int c = 0; c < d; c++) {
                pre += x[off + c] * z[zOff + c];
            }
            sum += g(neuron, x[off + d + 1]) * Math.tanh(pre);
        }
        return sum / n;
    }

    @ParameterizedTest(name = "{0} neuron, {1}")
    @CsvSource({"paper, FLOAT64", "classic, FLOAT64", "paper, FLOAT32", "classic, FLOAT32"})
    void sharedBatchMatchesThePlainFormula(String name, DataType dtype) {
        Engines.pytorch();
        Random r = new Random(21);
        int m = 3;
        int n = 17;
        int d = 5;
        int samples = 11;
        try (NDManager mgr = NDManager.newBaseManager()) {
            float[] z = Fixtures.gaussian(r, samples * d, 1.3);
            Batch data = Batch.of(mgr, z, new float[samples], d, dtype);
            float[] xf = Fixtures.gaussian(r, m * n * (d + 2), 0.9);
            NDArray x = Tensors.of(mgr, xf, new Shape(m, n, d + 2), dtype);
            double[] got = Tensors.toDoubles(MeanField.forward(neuron(name), x, data.z2()));
            assertEquals(m * samples, got.length);
            double[] xs = toDoubles(xf);
            double[] zs = toDoubles(z);
            double tol = dtype == DataType.FLOAT64 ? 1e-12 : 2e-5 * (name.equals("paper") ? R : 3);
            for (int j = 0; j < m; j++) {
                for (int s = 0; s < samples; s++) {
                    double want = plainForward(name, xs, j, n, d, zs, s * d);
                    assertEquals(want, got[j * samples + s], tol, "member " + j + ", point " + s);
                }
            }
        }
    }

    /** One minibatch per member, Z2 (M, b, D): member j's outputs use member j's points only. */
    @ParameterizedTest
    @CsvSource({"paper", "classic"})
    void perMemberBatchesMatchThePlainFormula(String name) {
        Engines.pytorch();
        Random r = new Random(22);
        int m = 4;
        int n = 9;
        int d = 3;
        int b = 6;
        try (NDManager mgr = NDManager.newBaseManager()) {
            double[] zs = new double[m * b * d];
            double[] z2 = new double[m * b * (d + 2)];
            for (int row = 0; row < m * b; row++) {
                for (int c = 0; c < d; c++) {
                    zs[row * d + c] = r.nextGaussian();
                    z2[row * (d + 2) + c] = zs[row * d + c];
                }
                z2[row * (d + 2) + d] = 1; // bias column; the x_D column stays 0
            }
            NDArray z2a = Tensors.of(mgr, z2, new Shape(m, b, d + 2), DataType.FLOAT64);
            double[] xs = new double[m * n * (d + 2)];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = 0.8 * r.nextGaussian();
            }
            NDArray x = Tensors.of(mgr, xs, new Shape(m, n, d + 2), DataType.FLOAT64);
            double[] got = Tensors.toDoubles(MeanField.forward(neuron(name), x, z2a));
            assertEquals(m * b, got.length);
            for (int j = 0; j < m; j++) {
                for (int s = 0; s < b; s++) {
                    double want = plainForward(name, xs, j, n, d, zs, (j * b + s) * d);
                    assertEquals(want, got[j * b + s], 1e-12, "member " + j + ", point " + s);
                }
            }
        }
    }

    /** F(μ_m) = (1/n)·Σ_s ℓ(f_m(z_s), y_s) + λ′·(1/N)·Σ_i ‖x_{m,i}‖², ℓ written out here. */
    @ParameterizedTest
    @CsvSource({"paper, LOGISTIC", "classic, SQUARED"})
    void objectiveMatchesThePlainFormula(String name, Loss loss) {
        Engines.pytorch();
        Random r = new Random(23);
        int m = 2;
        int n = 8;
        int d = 4;
        int samples = 10;
        double lambdaPrime = 0.3;
        try (NDManager mgr = NDManager.newBaseManager()) {
            float[] z = Fixtures.gaussian(r, samples * d, 1.0);
            float[] y = Fixtures.labels(r, samples, loss == Loss.LOGISTIC);
            Batch data = Batch.of(mgr, z, y, d, DataType.FLOAT64);
            float[] xf = Fixtures.gaussian(r, m * n * (d + 2), 0.8);
            NDArray x = Tensors.of(mgr, xf, new Shape(m, n, d + 2), DataType.FLOAT64);
            double[] got = Tensors.toDoubles(MeanField.objective(neuron(name), loss, lambdaPrime, x, data));
            double[] xs = toDoubles(xf);
            double[] zs = toDoubles(z);
            for (int j = 0; j < m; j++) {
                double data0 = 0;
                for (int s = 0; s < samples; s++) {
                    double f = plainForward(name, xs, j, n, d, zs, s * d);
                    data0 += loss == Loss.LOGISTIC ? Math.log(1 + Math.exp(-y[s] * f)) : 0.5 * (f - y[s]) * (f - y[s]);
                }
                double l2 = 0;
                for (int i = j * n * (d + 2); i < (j + 1) * n * (d + 2); i++) {
                    l2 += xs[i] * xs[i];
                }
                assertEquals(data0 / samples + lambdaPrime * l2 / n, got[j], 1e-12, "member " + j);
            }
        }
    }

    private static double[] toDoubles(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
