package dev.pocmerge.meanfield;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Where a step's scaled Langevin noise σ·ξ (M, N, D) comes from: {@link NoiseStreams} in every real run. */
interface NoiseSource extends AutoCloseable {
    /** σ·ξ for step {@code step} (1-based) of all M members, on {@code sm}. */
    NDArray draw(NDManager sm, int step, long neurons, long dim, float sigma, DataType dtype);

    /** Frees what the source holds (host buffers, a fill in progress); no draw after it. */
    @Override
    default void close() {}
}
