package dev.pocmerge.meanfield;

import static dev.pocmerge.core.Tensors.k;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;

/** Reference gradient: autograd through {@link MeanField#objective}. Slow, obviously right. */
public record AutogradGradient(Neuron neuron, Loss loss, double lambdaPrime) implements GradientPath {
    /** Autograd of the data term of {@link MeanField#objective} (λ′ = 0 there; the L2 part is analytic). */
    @Override
    public NDArray scaledDataGradient(NDArray x, Batch batch, double scale) {
        long n = x.getShape().get(1);
        NDArray leaf = x.duplicate(); // a fresh leaf each call: no stale accumulated gradient
        leaf.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray total = MeanField.objective(neuron, loss, 0.0, leaf, batch).sum();
            gc.backward(total);
        }
        return leaf.getGradient().mul(k(x, n * scale)); // ∇(δF/δμ)(x_i) = N·∇_{x_i}F
    }
}
