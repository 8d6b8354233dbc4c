package dev.pocmerge.meanfield;

import static dev.pocmerge.core.Tensors.k;

import ai.djl.ndarray.NDArray;

/**
 * Data losses ℓ(f, y). The objective is {@code F = (1/n)·Σ_s ℓ(f(z_s), y_s) + λ′·(1/N)·Σ_i ‖x_i‖²}.
 * Squared loss is {@code ½(f − y)²} (gradient f − y, the convention of the peer benchmark); reports give the
 * MSE {@code mean (f − y)²}, the number the paper's Table 2 lists.
 */
public enum Loss {
    /** ℓ = log(1 + exp(−y·f)) for labels ±1. */
    LOGISTIC {
        @Override
        public NDArray value(NDArray f, NDArray y) {
            return f.mul(y).neg().getNDArrayInternal().softPlus();
        }

        @Override
        public NDArray derivative(NDArray f, NDArray y) {
            // dℓ/df = −y·σ(−y·f)
            return f.mul(y).neg().getNDArrayInternal().sigmoid().mul(y).neg();
        }

        @Override
        public double value(double f, double y) {
            double u = -y * f;
            return Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
        }
    },
    /** ℓ = ½(f − y)². */
    SQUARED {
        @Override
        public NDArray value(NDArray f, NDArray y) {
            return f.sub(y).square().mul(k(f, 0.5));
        }

        @Override
        public NDArray derivative(NDArray f, NDArray y) {
            return f.sub(y);
        }

        @Override
        public double value(double f, double y) {
            return 0.5 * (f - y) * (f - y);
        }
    };

    public abstract NDArray value(NDArray f, NDArray y);

    public abstract NDArray derivative(NDArray f, NDArray y);

    public abstract double value(double f, double y);
}
