package dev.pocmerge.meanfield;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.Tensors;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fast closed-form gradient is pinned to autograd, and autograd to float64 finite differences. */
class GradientTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("paper", Loss.LOGISTIC),
                Arguments.of("paper", Loss.SQUARED),
                Arguments.of("classic", Loss.LOGISTIC),
                Arguments.of("classic", Loss.SQUARED));
    }

    private static Neuron neuron(String name) {
        return name.equals("paper") ? Neuron.paper(3.0) : Neuron.classic();
    }

    private static double maxRel(double[] a, double[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num = Math.max(num, Math.abs(a[i] - b[i]));
            den = Math.max(den, Math.abs(b[i]));
        }
        return num / den;
    }

    @ParameterizedTest(name = "{0} neuron, {1}")
    @MethodSource("cases")
    void closedFormEqualsAutogradInFloat64(String neuronName, Loss loss) {
        Engines.pytorch();
        Neuron neuron = neuron(neuronName);
        Random r = new Random(42);
        int m = 3;
        int n = 7;
        int d = 5;
        int samples = 11;
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray x = Fixtures.particles(mgr, r, m, n, d + 2, DataType.FLOAT64);
            Batch data = Batch.of(mgr, Fixtures.gaussian(r, samples * d, 1.0),
                    Fixtures.labels(r, samples, loss == Loss.LOGISTIC), d, DataType.FLOAT64);
            // shared batch, then one minibatch per member
            NDArray idx = Tensors.ofLongs(mgr, new long[] {0, 3, 5, 6, 1, 1, 2, 9, 10, 4, 8, 7}, new Shape(m, 4));
            for (Batch batch : new Batch[] {data, data.gather(idx)}) {
                double[] fast = Tensors.toDoubles(new ClosedFormGradient(neuron, loss, 0.1)
                        .meanFieldGradient(x, batch));
                double[] ref = Tensors.toDoubles(new AutogradGradient(neuron, loss, 0.1)
                        .meanFieldGradient(x, batch));
                assertEquals(m * n * (d + 2), fast.length);
                double rel = maxRel(fast, ref);
                assertTrue(rel < 1e-9, "closed form vs autograd, max rel err " + rel);
            }
        }
    }

    /**
     * The fast path in float32 (what runs) against autograd in float64, on saturated neurons (|w·z + b| up to ~10,
     * where 1 − tanh² is formed as a difference of two sums): the error must stay at float32 rounding.
     */
    @ParameterizedTest(name = "{0} neuron, {1}")
    @MethodSource("cases")
    void closedFormInFloat32StaysAtFloat32Rounding(String neuronName, Loss loss) {
        Engines.pytorch();
        Neuron neuron = neuron(neuronName);
        Random r = new Random(7);
        int m = 2;
        int n = 50;
        int d = 20;
        int samples = 400;
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray x64 = Fixtures.particles(mgr, r, m, n, d + 2, DataType.FLOAT64).mul(2.0);
            NDArray x32 = x64.toType(DataType.FLOAT32, true);
            float[] z = Fixtures.gaussian(r, samples * d, 1.0);
            float[] y = Fixtures.labels(r, samples, loss == Loss.LOGISTIC);
            Batch b64 = Batch.of(mgr, z, y, d, DataType.FLOAT64);
            Batch b32 = Batch.of(mgr, z, y, d, DataType.FLOAT32);
            double[] fast = Tensors.toDoubles(new ClosedFormGradient(neuron, loss, 0.1).meanFieldGradient(x32, b32));
            double[] ref = Tensors.toDoubles(new AutogradGradient(neuron, loss, 0.1).meanFieldGradient(x64, b64));
            double rel = maxRel(fast, ref);
            assertTrue(rel < 2e-6, "float32 closed form vs float64 autograd, max rel err " + rel);
        }
    }

    @ParameterizedTest(name = "{0} neuron, {1}")
    @MethodSource("cases")
    void autogradEqualsFiniteDifferences(String neuronName, Loss loss) {
        Engines.pytorch();
        Neuron neuron = neuron(neuronName);
        Random r = new Random(7);
        int m = 2;
        int n = 4;
        int d = 3;
        int samples = 6;
        double lambdaPrime = 0.3;
        try (NDManager mgr = NDManager.newBaseManager()) {
            float[] x0 = Fixtures.gaussian(r, m * n * (d + 2), 0.8);
            Shape shape = new Shape(m, n, d + 2);
            Batch batch = Batch.of(mgr, Fixtures.gaussian(r, samples * d, 1.0),
                    Fixtures.labels(r, samples, loss == Loss.LOGISTIC), d, DataType.FLOAT64);
            NDArray x = Tensors.of(mgr, x0, shape, DataType.FLOAT64);
            double[] g = Tensors.toDoubles(new AutogradGradient(neuron, loss, lambdaPrime)
                    .meanFieldGradient(x, batch));
            double h = 1e-6;
            for (int i = 0; i < x0.length; i++) {
                double[] plus = new double[x0.length];
                double[] minus = new double[x0.length];
                for (int j = 0; j < x0.length; j++) {
                    plus[j] = x0[j];
                    minus[j] = x0[j];
                }
                plus[i] += h;
                minus[i] -= h;
                double fp = sum(MeanField.objective(neuron, loss, lambdaPrime,
                        Tensors.of(mgr, plus, shape, DataType.FLOAT64), batch));
                double fm = sum(MeanField.objective(neuron, loss, lambdaPrime,
                        Tensors.of(mgr, minus, shape, DataType.FLOAT64), batch));
                double fd = n * (fp - fm) / (2 * h); // N·∂F/∂x
                assertEquals(fd, g[i], 1e-6 * Math.max(1, Math.abs(fd)), "coordinate " + i);
            }
        }
    }

    private static double sum(NDArray a) {
        double s = 0;
        for (double v : Tensors.toDoubles(a)) {
            s += v;
        }
        return s;
    }
}
