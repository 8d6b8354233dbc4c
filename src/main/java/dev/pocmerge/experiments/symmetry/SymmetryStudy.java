package dev.pocmerge.experiments.symmetry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Seeds;
import dev.pocmerge.core.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * The symmetry study: a C₂-equivariant teacher, an orbit-closed training set (every (x, y) with its image
 * (Px, Py), so the empirical data law is exactly invariant), and MFLD run the five ways of {@link SymmetricMfld}
 * from three kinds of start: weakly invariant (z ~ N(0, I₄), a law fixed by conjugation), not invariant
 * (z ~ N(m, I₄) with PmP = −m) and strongly invariant (z ∈ E^G).
 */
public final class SymmetryStudy {
    /** Teacher particles, all in E^G: [[a, b], [b, a]]. */
    static final double[][] TEACHER = {{3, -2}, {-2, 3}, {1.5, 1.5}, {-3, -1}};
    static final double[] SHIFT = {1.5, 0, 0, -1.5}; // m = diag(1.5, −1.5): PmP = −m

    private SymmetryStudy() {}

    public enum Start {
        WEAK("weakly invariant start, z ~ N(0, I)"), SHIFTED("non-invariant start, z ~ N(diag(1.5, −1.5), I)"),
        STRONG("strongly invariant start, z ∈ E^G");

        public final String label;

        Start(String label) {
            this.label = label;
        }
    }

    public record Settings(List<Integer> nList, int samples, int testSamples, SymmetricMfld.Hyper hyper, int every,
            long seed, DataType dtype) {
        public Settings {
            nList = List.copyOf(nList);
            if (nList.isEmpty() || nList.stream().anyMatch(v -> v <= 1)) {
                throw new PocmergeException("--n-list: every N must be > 1, got " + nList);
            }
            if (hyper.steps() <= 0) {
                throw new PocmergeException("--steps: must be > 0, got " + hyper.steps());
            }
            if (samples <= 0 || every <= 0) { // fixed by the study, not options
                throw new IllegalArgumentException("samples and every must be > 0, got " + samples + ", " + every);
            }
        }

        public static Settings standard(long seed) {
            return new Settings(List.of(100, 1000), 100, 500, new SymmetricMfld.Hyper(2.0, 1e-3, 1e-4, 400), 10,
                    seed, DataType.FLOAT32);
        }

        public int largest() {
            return nList.get(nList.size() - 1);
        }

        public int runs() {
            return 3 * nList.size() + 6;
        }
    }

    /** One run's record at steps 0, every, ...; {@code toPlain} is the RMS distance to the same-start plain run. */
    public record Trace(SymmetricMfld.Method method, Start start, int particles, int[] steps, double[] testLoss,
            double[] mmd2, double[] distE, double[] distEMax, double[] toPlain) {}

    public record Result(Settings settings, List<Trace> traces, double seconds) {}

    public static Result run(NDManager manager, Settings s, IntConsumer progress) {
        long t0 = System.nanoTime();
        List<Trace> traces = new ArrayList<>();
        try (NDManager sm = manager.newSubManager()) {
            Random rng = new Random(Seeds.derive(s.seed(), 0xDA7AL));
            double[] x0 = gaussians(rng, 2 * s.samples());
            double[] xt = gaussians(rng, 2 * s.testSamples());
            NDArray teacher = teacher(sm, s.dtype());
            NDArray xh = columns(sm, x0, s.dtype());
            NDArray x = xh.concat(C2.act(xh), 1);                // orbit-closed: every x with Px
            NDArray y = TwoByTwoNet.forward(teacher, x);
            NDArray xTest = columns(sm, xt, s.dtype());
            NDArray yTest = TwoByTwoNet.forward(teacher, xTest);
            int done = 0;
            List<Object[]> plan = new ArrayList<>();
            for (int n : s.nList()) {
                plan.add(new Object[] {Start.WEAK, n});
            }
            plan.add(new Object[] {Start.SHIFTED, s.largest()});
            plan.add(new Object[] {Start.STRONG, s.largest()});
            for (Object[] p : plan) {
                Start start = (Start) p[0];
                int n = (Integer) p[1];
                NDArray z0 = init(sm, start, n, s);
                SymmetricMfld.Method[] methods = start == Start.STRONG
                        ? new SymmetricMfld.Method[] {SymmetricMfld.Method.PLAIN,
                            SymmetricMfld.Method.PROJECTED_NOISE, SymmetricMfld.Method.EA}
                        : new SymmetricMfld.Method[] {SymmetricMfld.Method.PLAIN, SymmetricMfld.Method.DA,
                            SymmetricMfld.Method.FA};
                List<double[]> plainOut = new ArrayList<>();
                for (SymmetricMfld.Method m : methods) {
                    traces.add(trace(sm, m, start, z0, x, y, xTest, yTest, s, plainOut));
                    progress.accept(++done);
                }
            }
        }
        return new Result(s, traces, (System.nanoTime() - t0) / 1e9);
    }

    static Trace trace(NDManager manager, SymmetricMfld.Method m, Start start, NDArray z0, NDArray x, NDArray y,
            NDArray xTest, NDArray yTest, Settings s, List<double[]> plainOut) {
        int records = s.hyper().steps() / s.every() + 1;
        int[] steps = new int[records];
        double[] loss = new double[records];
        double[] mmd = new double[records];
        double[] dist = new double[records];
        double[] distMax = new double[records];
        double[] toPlain = new double[records];
        int[] at = {0};
        boolean plain = m == SymmetricMfld.Method.PLAIN;
        try (NDManager sm = manager.newSubManager()) {
            SymmetricMfld.train(sm, m, z0, x, y, s.hyper(), s.seed(), s.every(), (step, z) -> {
                try (NDManager rm = sm.newSubManager()) {
                    z.tempAttach(rm);
                    xTest.tempAttach(rm);
                    yTest.tempAttach(rm);
                    int i = at[0]++;
                    steps[i] = step;
                    // FA deploys the symmetrised model Q_G f_μ: score that one
                    NDArray f = m == SymmetricMfld.Method.FA ? C2.symmetrise(v -> TwoByTwoNet.forward(z, v))
                            .apply(xTest) : TwoByTwoNet.forward(z, xTest);
                    NDArray err = f.sub(yTest);
                    loss[i] = 0.5 * Tensors.toDoubles(err.square().sum())[0] / xTest.getShape().get(1);
                    mmd[i] = SymmetryMetrics.invarianceMmd2(z);
                    double[] d = SymmetryMetrics.distanceToE(z);
                    dist[i] = d[0];
                    distMax[i] = d[1];
                    double[] out = Tensors.toDoubles(f);
                    if (plain) {
                        plainOut.add(out);
                        toPlain[i] = 0;
                    } else {
                        toPlain[i] = SymmetryMetrics.rms(out, plainOut.get(i));
                    }
                }
            }).close();
        }
        return new Trace(m, start, (int) z0.getShape().get(0), steps, loss, mmd, dist, distMax, toPlain);
    }

    static NDArray init(NDManager manager, Start start, int n, Settings s) {
        Random rng = new Random(Seeds.derive(s.seed(), n));
        double[] z = gaussians(rng, 4 * n);
        if (start == Start.SHIFTED) {
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < 4; c++) {
                    z[4 * i + c] += SHIFT[c];
                }
            }
        }
        NDArray a = Tensors.of(manager, z, new Shape(n, 2, 2), s.dtype());
        return start == Start.STRONG ? C2.projectE(a) : a;
    }

    static NDArray teacher(NDManager manager, DataType dtype) {
        double[] z = new double[4 * TEACHER.length];
        for (int i = 0; i < TEACHER.length; i++) {
            z[4 * i] = TEACHER[i][0];
            z[4 * i + 1] = TEACHER[i][1];
            z[4 * i + 2] = TEACHER[i][1];
            z[4 * i + 3] = TEACHER[i][0];
        }
        return Tensors.of(manager, z, new Shape(TEACHER.length, 2, 2), dtype);
    }

    /** Points (x1, x2) stored row-major as pairs, returned as the columns of a (2, n) array. */
    static NDArray columns(NDManager manager, double[] pairs, DataType dtype) {
        int n = pairs.length / 2;
        return Tensors.of(manager, pairs, new Shape(n, 2), dtype).transpose().duplicate();
    }

    static double[] gaussians(Random rng, int count) {
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = rng.nextGaussian();
        }
        return v;
    }
}
