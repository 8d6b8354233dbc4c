package dev.pocmerge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.core.PocmergeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    static float[] randomFloats(int n, long seed) {
        Random rnd = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian() * 3;
        }
        return a;
    }

    static float[] throughBf16(float[] a) {
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Halfs.bf16ToFloat(Halfs.floatToBf16(a[i]));
        }
        return b;
    }

    @Test
    void f32IsExactAndOrderAndMetadataAreKept() {
        float[] a = randomFloats(6 * 5, 1);
        float[] b = {Float.MIN_VALUE, -0f, Float.MAX_VALUE, Float.NEGATIVE_INFINITY};
        Path f = dir.resolve("x.safetensors");
        // Names deliberately not alphabetical: the reader must keep insertion order, not sort.
        new SafetensorsWriter().metadata("format", "pt").metadata("note", "ünïcode <&>")
                .add("zeta.weight", Dtype.F32, new long[] {6, 5}, a)
                .add("alpha", Dtype.F32, new long[] {2, 2}, b)
                .add("scalar", Dtype.F32, new long[] {}, new float[] {7.5f})
                .add("empty", Dtype.F32, new long[] {0, 3}, new float[0])
                .write(f);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(List.of("zeta.weight", "alpha", "scalar", "empty"), s.names());
            assertEquals(Map.of("format", "pt", "note", "ünïcode <&>"), s.metadata());
            assertArrayEquals(a, s.readFloats("zeta.weight"));
            assertArrayEquals(b, s.readFloats("alpha"));
            assertArrayEquals(new float[] {7.5f}, s.readFloats("scalar"));
            assertEquals(0, s.readFloats("empty").length);
            TensorInfo t = s.info("zeta.weight");
            assertEquals(Dtype.F32, t.dtype());
            assertArrayEquals(new long[] {6, 5}, t.shape());
            assertEquals(0, t.begin());
            assertEquals(120, t.end());
            assertEquals(30, t.numel());
            assertTrue(s.contains("alpha"));
            assertFalse(s.contains("beta"));
        }
    }

    @Test
    void bf16IsExactForRepresentableValues() {
        float[] a = throughBf16(randomFloats(257, 2));
        Path f = dir.resolve("b.safetensors");
        new SafetensorsWriter().add("w", Dtype.BF16, new long[] {257}, a).write(f);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(Dtype.BF16, s.info("w").dtype());
            assertEquals(257 * 2, s.info("w").end());
            assertArrayEquals(a, s.readFloats("w"));
        }
    }

    @Test
    void bf16AndF16RoundUnrepresentableValuesToNearest() {
        float[] a = randomFloats(1000, 3);
        Path f = dir.resolve("h.safetensors");
        new SafetensorsWriter().add("h", Dtype.F16, new long[] {10, 100}, a)
                .add("b", Dtype.BF16, new long[] {1000}, a).write(f);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            float[] h = s.readFloats("h");
            float[] b = s.readFloats("b");
            for (int i = 0; i < a.length; i++) {
                // Half precision: relative error at most 2^-11 for normal values; bf16: 2^-8.
                assertEquals(a[i], h[i], Math.abs(a[i]) * 0x1p-11f + 0x1p-24f, "f16 at " + i);
                assertEquals(a[i], b[i], Math.abs(a[i]) * 0x1p-8f, "bf16 at " + i);
                assertEquals(Halfs.f16ToFloat(Halfs.floatToF16(a[i])), h[i]);
            }
        }
    }

    @Test
    void integerTensorsRoundTripThroughAddRaw() {
        long[] ids = {0, -1, Long.MAX_VALUE, 42, 1L << 40};
        ByteBuffer bb = ByteBuffer.allocate(ids.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : ids) {
            bb.putLong(v);
        }
        byte[] u8 = {0, 1, (byte) 255, (byte) 128};
        Path f = dir.resolve("i.safetensors");
        new SafetensorsWriter().addRaw("ids", Dtype.I64, new long[] {5}, bb.array())
                .addRaw("bytes", Dtype.U8, new long[] {2, 2}, u8)
                .addRaw("mask", Dtype.BOOL, new long[] {2}, new byte[] {0, 1}).write(f);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(List.of("ids", "bytes", "mask"), s.names());
            assertEquals(Dtype.I64, s.info("ids").dtype());
            assertArrayEquals(new float[] {0, -1, Long.MAX_VALUE, 42, 1L << 40}, s.readFloats("ids"));
            assertArrayEquals(new float[] {0, 1, 255, 128}, s.readFloats("bytes"));
            assertArrayEquals(new float[] {0, 1}, s.readFloats("mask"));
        }
    }

    /** Forces many small mappings so the chunk loop used for tensors past 2 GiB is exercised here. */
    @Test
    void chunkedMappingGivesTheSameValues() {
        float[] a = randomFloats(1001, 4);
        float[] b = throughBf16(a);
        Path f = dir.resolve("c.safetensors");
        new SafetensorsWriter().add("a", Dtype.F32, new long[] {1001}, a).add("b", Dtype.BF16, new long[] {1001}, b)
                .add("h", Dtype.F16, new long[] {1001}, a).write(f);
        float[] h;
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            h = s.readFloats("h");
        }
        long saved = SafetensorsFile.chunkBytes;
        SafetensorsFile.chunkBytes = 40; // 10 floats, 20 halves per mapping; 1001 is no multiple of either
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertArrayEquals(a, s.readFloats("a"));
            assertArrayEquals(b, s.readFloats("b"));
            assertArrayEquals(h, s.readFloats("h"));
        } finally {
            SafetensorsFile.chunkBytes = saved;
        }
    }

    @Test
    void writerRejectsBadInput() {
        SafetensorsWriter w = new SafetensorsWriter().add("a", Dtype.F32, new long[] {1}, new float[] {1});
        PocmergeException dup = assertThrows(PocmergeException.class,
                () -> w.add("a", Dtype.BF16, new long[] {1}, new float[] {2}));
        assertTrue(dup.getMessage().contains("'a'") && dup.getMessage().contains("twice"), dup.getMessage());
        assertThrows(PocmergeException.class, () -> w.add("b", Dtype.F32, new long[] {3}, new float[] {1, 2}));
        assertThrows(PocmergeException.class, () -> w.add("c", Dtype.I32, new long[] {1}, new float[] {1}));
        assertThrows(PocmergeException.class, () -> w.add("d", Dtype.F32, new long[] {-1}, new float[0]));
        assertThrows(PocmergeException.class, () -> w.addRaw("e", Dtype.I32, new long[] {2}, new byte[7]));
        assertThrows(PocmergeException.class, () -> w.add("__metadata__", Dtype.F32, new long[] {1}, new float[1]));
    }

    @Test
    void writeReplacesAnExistingFileAtomically() {
        Path f = dir.resolve("r.safetensors");
        new SafetensorsWriter().add("old", Dtype.F32, new long[] {1}, new float[] {1}).write(f);
        new SafetensorsWriter().add("new", Dtype.F32, new long[] {1}, new float[] {2}).write(f);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(List.of("new"), s.names());
        }
        assertEquals(1, dir.toFile().list().length, "no temp files left behind");
    }
}
