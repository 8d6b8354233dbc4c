package dev.pocmerge.meanfield;

import static dev.pocmerge.core.Tensors.k;

import ai.djl.ndarray.NDArray;

/**
 * A mean-field neuron of the form {@code h(x, z) = g(x_D)·tanh(w·z + b)} with parameter {@code x = (w ∈ R^d, b,
 * x_D)}, D = d + 2. Both neurons we ship have this shape, which is what lets one batched fast path serve them;
 * only the outer factor g and its derivative differ.
 */
public interface Neuron {
    /** Name used on the command line and in results. */
    String name();

    /** g(v), elementwise; built from differentiable ops (the autograd path uses it). */
    NDArray outer(NDArray v);

    /** g'(v), elementwise. */
    NDArray outerDerivative(NDArray v);

    /** g(v) in plain double arithmetic (tests' float64 references). */
    double outer(double v);

    /** The fixed output scale R of the paper neuron; NaN for the classic one, whose scale a is learnt. */
    double scale();

    /** The paper's neuron (Appendix B.1): {@code h(x, z) = R·tanh(x3)·tanh(x1·z + x2)}. */
    static Neuron paper(double r) {
        return new Neuron() {
            @Override
            public String name() {
                return "paper";
            }

            @Override
            public NDArray outer(NDArray v) {
                return v.tanh().mul(k(v, r));
            }

            @Override
            public NDArray outerDerivative(NDArray v) {
                NDArray t = v.tanh();
                return k(v, r).sub(t.square().mul(k(v, r))); // R·(1 − tanh²)
            }

            @Override
            public double outer(double v) {
                return r * Math.tanh(v);
            }

            @Override
            public double scale() {
                return r;
            }
        };
    }

    /** The classic mean-field neuron {@code h(x, z) = a·tanh(w·z + b)}, x = (w, b, a). */
    static Neuron classic() {
        return new Neuron() {
            @Override
            public String name() {
                return "classic";
            }

            @Override
            public NDArray outer(NDArray v) {
                return v.mul(k(v, 1)); // not duplicate(): DJL's copy drops the autograd link
            }

            @Override
            public NDArray outerDerivative(NDArray v) {
                return v.onesLike();
            }

            @Override
            public double outer(double v) {
                return v;
            }

            @Override
            public double scale() {
                return Double.NaN;
            }
        };
    }
}
