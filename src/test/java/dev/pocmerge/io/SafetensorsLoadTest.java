package dev.pocmerge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Engines;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** load() converts in Java, so a BF16 file reaches the engine only as float32 or float16. */
class SafetensorsLoadTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void engine() {
        Engines.pytorch();
    }

    private Path bf16File(float[] values) {
        Path f = dir.resolve("m.safetensors");
        new SafetensorsWriter().add("w", Dtype.BF16, new long[] {3, 7}, values)
                .add("h", Dtype.F16, new long[] {21}, values)
                .add("f", Dtype.F32, new long[] {21}, values).write(f);
        return f;
    }

    @Test
    void bf16LoadsAsFloat32WithExactValues() {
        float[] v = SafetensorsRoundTripTest.throughBf16(SafetensorsRoundTripTest.randomFloats(21, 5));
        try (SafetensorsFile s = SafetensorsFile.open(bf16File(v)); NDManager m = NDManager.newBaseManager()) {
            NDArray a = s.load("w", m, DataType.FLOAT32);
            assertEquals(DataType.FLOAT32, a.getDataType());
            assertEquals(new Shape(3, 7), a.getShape());
            assertEquals("w", a.getName());
            // The engine must read the values themselves, not only give back the bytes we handed it.
            System.gc();
            NDArray twice = a.mul(m.full(new Shape(), 2f, DataType.FLOAT32));
            float[] got = twice.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                assertEquals(2 * v[i], got[i], 0f, "at " + i);
            }
            assertArrayEquals(v, a.toFloatArray());
            // A view of the loaded array survives closing it: the data must be owned by libtorch.
            NDArray row = a.get(1);
            a.close();
            System.gc();
            assertArrayEquals(java.util.Arrays.copyOfRange(v, 7, 14), row.toFloatArray());
        }
    }

    @Test
    void bf16AndF32LoadAsFloat16RoundedToNearest() {
        float[] v = SafetensorsRoundTripTest.throughBf16(SafetensorsRoundTripTest.randomFloats(21, 6));
        try (SafetensorsFile s = SafetensorsFile.open(bf16File(v)); NDManager m = NDManager.newBaseManager()) {
            for (String name : new String[] {"w", "h", "f"}) {
                NDArray a = s.load(name, m, DataType.FLOAT16);
                assertEquals(DataType.FLOAT16, a.getDataType());
                float[] got = a.toType(DataType.FLOAT32, false).toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    assertEquals(Halfs.f16ToFloat(Halfs.floatToF16(v[i])), got[i], 0f, name + " at " + i);
                }
            }
            // float32 from an F16 file is the exact widening of the stored halves.
            float[] h = s.readFloats("h");
            assertArrayEquals(h, s.load("h", m, DataType.FLOAT32).toFloatArray());
        }
    }

    /** The raw IEEE half bit patterns of a FLOAT16 array. */
    static short[] halves(NDArray a) {
        assertEquals(DataType.FLOAT16, a.getDataType());
        ShortBuffer sb = a.toByteBuffer().order(ByteOrder.nativeOrder()).asShortBuffer();
        short[] out = new short[sb.remaining()];
        sb.get(out);
        return out;
    }

    /**
     * Tensors over one NDArray buffer's 2 GiB (Llama-3's 2.1 GB float32 embedding) load in row blocks: shrink the
     * piece size so a (13, 7) tensor loads as 5 blocks of ≤ 3 rows, and compare with the file's values.
     */
    @Test
    void bigTensorsLoadInRowBlocksWithTheSameValues() {
        float[] v = SafetensorsRoundTripTest.throughBf16(SafetensorsRoundTripTest.randomFloats(91, 9));
        Path f = dir.resolve("rows.safetensors");
        float[] exact = new float[91];
        float[] row0 = {1f + 0x1p-11f, 1f + 3 * 0x1p-11f, 1f + 0x1p-11f + 0x1p-20f, 65519f, 65520f, 3 * 0x1p-25f, 1f / 3};
        System.arraycopy(row0, 0, exact, 0, 7);
        for (int i = 7; i < 91; i++) {
            exact[i] = (i - 50) / 8f;
        }
        new SafetensorsWriter().add("e", Dtype.BF16, new long[] {13, 7}, v)
                .add("x", Dtype.F32, new long[] {13, 7}, exact).write(f);
        long saved = SafetensorsFile.maxPieceBytes;
        SafetensorsFile.maxPieceBytes = 3 * 7 * 4 + 5; // three float32 rows per piece
        try (SafetensorsFile s = SafetensorsFile.open(f); NDManager m = NDManager.newBaseManager()) {
            NDArray a = s.load("e", m, DataType.FLOAT32);
            assertEquals(new Shape(13, 7), a.getShape());
            assertEquals("e", a.getName());
            assertArrayEquals(v, a.toFloatArray());
            // bf16 values in f16's normal range are exact halves (8 significant bits ≤ 11): no tolerance
            for (float x : v) {
                assertTrue(x == 0 || Math.abs(x) >= 0x1p-14f && Math.abs(x) <= 65504f, "in f16's normal range: " + x);
            }
            assertArrayEquals(v, s.load("e", m, DataType.FLOAT16).toType(DataType.FLOAT32, false).toFloatArray());
            // an F32 tensor in row blocks to float16: row 0 rounds to nearest even (bit patterns worked out by
            // hand), the other rows are exact halves k/8 and must come back unchanged
            NDArray x = s.load("x", m, DataType.FLOAT16);
            assertEquals(DataType.FLOAT16, x.getDataType());
            assertEquals(new Shape(13, 7), x.getShape());
            short[] bits = halves(x);
            assertArrayEquals(new short[] {
                0x3C00, // 1 + 2^-11: tie between 0x3C00 (even) and 0x3C01
                0x3C02, // 1 + 3·2^-11: tie between 0x3C01 and 0x3C02 (even)
                0x3C01, // 1 + 2^-11 + 2^-20: just past the tie
                0x7BFF, // 65519: below halfway to 65536
                0x7C00, // 65520: tie, the even side is 2^16 = inf
                0x0002, // 3·2^-25: tie between subnormals 1 and 2 (even)
                0x3555, // 1/3 → 0.333251953125
            }, Arrays.copyOf(bits, 7));
            float[] widened = x.toType(DataType.FLOAT32, false).toFloatArray();
            assertArrayEquals(Arrays.copyOfRange(exact, 7, 91), Arrays.copyOfRange(widened, 7, 91));
            SafetensorsFile.maxPieceBytes = 7 * 4 - 1; // not even one row fits: a clear error, not a crash
            dev.pocmerge.core.PocmergeException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.pocmerge.core.PocmergeException.class, () -> s.load("e", m, DataType.FLOAT32));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("rows.safetensors"), e.getMessage());
        } finally {
            SafetensorsFile.maxPieceBytes = saved;
        }
    }
}
