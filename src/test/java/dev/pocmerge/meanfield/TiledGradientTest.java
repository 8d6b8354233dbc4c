package dev.pocmerge.meanfield;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The CPU path runs members in cache-sized tiles: a tile's gradient must be exactly that block of members of the
 * one-pass gradient, for a shared batch and for one minibatch per member (each tile must see its own members'
 * rows), whatever the tile size, including a last tile that is smaller.
 */
class TiledGradientTest {
    private static double maxRelDiff(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num = Math.max(num, Math.abs(a[i] - b[i]));
            den = Math.max(den, Math.abs(b[i]));
        }
        return num / den;
    }

    @Test
    void tilesEqualOnePassForSharedAndPerMemberBatches() {
        Engines.pytorch();
        Random r = new Random(5);
        int m = 7;
        int n = 9;
        int d = 4;
        int samples = 13;
        int b = 5;
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray x = Fixtures.particles(mgr, r, m, n, d + 2, DataType.FLOAT32);
            Batch data = Batch.of(mgr, Fixtures.gaussian(r, samples * d, 1.0), Fixtures.labels(r, samples, false), d,
                    DataType.FLOAT32);
            long[] idx = new long[m * b];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = r.nextInt(samples);
            }
            Batch mini = data.gather(Tensors.ofLongs(mgr, idx, new Shape(m, b)));
            ClosedFormGradient g = new ClosedFormGradient(Neuron.paper(3.0), Loss.SQUARED, 0.1);
            for (Batch batch : new Batch[] {data, mini}) {
                float[] one = g.scaledDataGradient(x, batch, -0.3, m).toFloatArray();
                for (int tile : new int[] {1, 2, 3, 6}) {
                    NDArray tiled = g.scaledDataGradient(x, batch, -0.3, tile);
                    assertEquals(x.getShape(), tiled.getShape());
                    double rel = maxRelDiff(tiled.toFloatArray(), one);
                    assertTrue(rel < 1e-6, (batch.shared() ? "shared" : "per-member") + " batch, tile " + tile
                            + ": max rel diff " + rel);
                }
            }
        }
    }

    @Test
    void defaultPathTilesOnTheCpuAndStillEqualsOnePass() {
        Engines.pytorch();
        Random r = new Random(9);
        int m = 6;
        int n = 500;
        int d = 10;
        int samples = 400;
        // (1, 500, 400) float activations are 0.8 MB: the 4 MiB budget makes tiles of 5 members, then 1
        assertEquals(5, ClosedFormGradient.TILE_BYTES / (n * samples * 4L));
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray x = Fixtures.particles(mgr, r, m, n, d + 2, DataType.FLOAT32);
            Batch data = Batch.of(mgr, Fixtures.gaussian(r, samples * d, 0.5), Fixtures.labels(r, samples, true), d,
                    DataType.FLOAT32);
            ClosedFormGradient g = new ClosedFormGradient(Neuron.paper(3.0), Loss.LOGISTIC, 0.1);
            float[] one = g.scaledDataGradient(x, data, 1.0, m).toFloatArray();
            float[] dflt = g.scaledDataGradient(x, data, 1.0).toFloatArray();
            assertTrue(maxRelDiff(dflt, one) < 1e-6, "max rel diff " + maxRelDiff(dflt, one));
            assertArrayEquals(new long[] {m, n, d + 2}, g.scaledDataGradient(x, data, 1.0).getShape().getShape());
        }
    }
}
