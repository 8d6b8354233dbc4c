package dev.pocmerge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pins the byte format itself, so reader and writer cannot agree on a private dialect. */
class SafetensorsGoldenTest {
    @TempDir
    Path dir;

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void readerDecodesAHandBuiltFile() throws Exception {
        // Header written in non-data order with no padding, as other writers may do; data order is b, a, h, d, i.
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]},"
                + "\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,1],\"data_offsets\":[0,4]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[12,16]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[24,28]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(json.length >= 256 && json.length < 65536);
        out.write(bytes(json.length & 0xFF, json.length >> 8, 0, 0, 0, 0, 0, 0)); // u64 little-endian
        out.write(json);
        out.write(bytes(0x80, 0x3F, 0x00, 0xC0)); // b: bf16 1.0, -2.0
        out.write(bytes(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0)); // a: f32 1.0, -2.5
        out.write(bytes(0x00, 0x3C, 0xFF, 0x7B)); // h: f16 1.0, 65504
        out.write(bytes(0, 0, 0, 0, 0, 0, 0xF8, 0x3F)); // d: f64 1.5
        out.write(bytes(0xFE, 0xFF, 0xFF, 0xFF)); // i: i32 -2
        Path f = dir.resolve("golden.safetensors");
        Files.write(f, out.toByteArray());
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(List.of("b", "a", "h", "d", "i"), s.names());
            assertEquals("pt", s.metadata().get("format"));
            assertArrayEquals(new float[] {1f, -2f}, s.readFloats("b"));
            assertArrayEquals(new long[] {2, 1}, s.info("b").shape());
            assertArrayEquals(new float[] {1f, -2.5f}, s.readFloats("a"));
            assertArrayEquals(new float[] {1f, 65504f}, s.readFloats("h"));
            assertArrayEquals(new float[] {1.5f}, s.readFloats("d"));
            assertArrayEquals(new float[] {-2f}, s.readFloats("i"));
            assertEquals(f, s.info("a").file());
        }
    }

    @Test
    void writerOutputIsWhatHuggingFaceExpects() throws Exception {
        Path f = dir.resolve("w.safetensors");
        new SafetensorsWriter().metadata("format", "pt")
                .add("z", Dtype.BF16, new long[] {3}, new float[] {1f, -2f, 0.5f})
                .add("a", Dtype.F32, new long[] {1, 2}, new float[] {1f, -2.5f})
                .add("h", Dtype.F16, new long[] {1}, new float[] {65504f})
                .write(f);
        byte[] file = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "header padded to 8 bytes");
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"), header);
        String trimmed = header.stripTrailing();
        assertTrue(trimmed.endsWith("}"), "padding is trailing spaces only: " + header);
        assertTrue(header.substring(trimmed.length()).chars().allMatch(c -> c == ' '));
        JsonObject h = JsonParser.parseString(header).getAsJsonObject();
        List<String> keys = new ArrayList<>(h.keySet());
        assertEquals(List.of("__metadata__", "z", "a", "h"), keys);
        assertEquals("pt", h.getAsJsonObject("__metadata__").get("format").getAsString());
        assertEquals("BF16", h.getAsJsonObject("z").get("dtype").getAsString());
        assertEquals(offsets(0, 6), h.getAsJsonObject("z").get("data_offsets"));
        assertEquals(offsets(6, 14), h.getAsJsonObject("a").get("data_offsets"));
        assertEquals(offsets(14, 16), h.getAsJsonObject("h").get("data_offsets"));
        assertEquals(offsets(1, 2), h.getAsJsonObject("a").get("shape"));
        assertEquals(8 + n + 16, file.length);
        byte[] data = java.util.Arrays.copyOfRange(file, (int) (8 + n), file.length);
        assertArrayEquals(bytes(0x80, 0x3F, 0x00, 0xC0, 0x00, 0x3F, // bf16 1, -2, 0.5
                0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0, // f32 1, -2.5
                0xFF, 0x7B), data); // f16 65504
    }

    /**
     * The writer's exact bytes, built here from the safetensors spec with a ByteBuffer (u64 little-endian header
     * length, compact JSON header padded with spaces to a multiple of 8, then the data, little-endian, in header
     * order) and bit patterns written out: the in-memory writer and the streaming writer must produce these bytes,
     * and the reader and the engine loader must decode them to these values.
     */
    static byte[] golden() {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"z\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[6,14]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[14,16]}}";
        assertEquals(197, header.length()); // padded to 200
        ByteBuffer b = ByteBuffer.allocate(8 + 200 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(200);
        b.put(header.getBytes(StandardCharsets.US_ASCII)).put("   ".getBytes(StandardCharsets.US_ASCII));
        b.putShort((short) 0x3F80).putShort((short) 0xC000).putShort((short) 0x3F00); // bf16 1, -2, 0.5
        b.putInt(0x3F800000).putInt(0xC0200000); // f32 1, -2.5
        b.putShort((short) 0x7BFF); // f16 65504
        return b.array();
    }

    @Test
    void bothWritersProduceTheGoldenBytesAndTheReadersDecodeThem() throws Exception {
        byte[] want = golden();
        assertEquals(0xC8, want[0] & 0xFF);
        assertEquals('{', want[8]);
        assertEquals((byte) 0x80, want[208]);

        Path f = dir.resolve("w.safetensors");
        new SafetensorsWriter().metadata("format", "pt")
                .add("z", Dtype.BF16, new long[] {3}, new float[] {1f, -2f, 0.5f})
                .add("a", Dtype.F32, new long[] {1, 2}, new float[] {1f, -2.5f})
                .add("h", Dtype.F16, new long[] {1}, new float[] {65504f})
                .write(f);
        assertArrayEquals(want, Files.readAllBytes(f), "SafetensorsWriter");

        Path g = dir.resolve("golden.safetensors");
        Files.write(g, want);
        Path streamed = dir.resolve("s.safetensors");
        try (SafetensorsFile src = SafetensorsFile.open(g);
                SafetensorsStream w = new SafetensorsStream(streamed, java.util.Map.of("format", "pt"), List.of(
                        new SafetensorsStream.Slot("z", Dtype.BF16, new long[] {3}),
                        new SafetensorsStream.Slot("a", Dtype.F32, new long[] {1, 2}),
                        new SafetensorsStream.Slot("h", Dtype.F16, new long[] {1})))) {
            w.copy("z", src);
            ByteBuffer a = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            a.putFloat(1f).putFloat(-2.5f).flip();
            w.put("a", a);
            w.copy("h", src);
        }
        assertArrayEquals(want, Files.readAllBytes(streamed), "SafetensorsStream");

        dev.pocmerge.core.Engines.pytorch();
        try (SafetensorsFile s = SafetensorsFile.open(g); ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager
                .newBaseManager()) {
            assertArrayEquals(new float[] {1f, -2f, 0.5f}, s.readFloats("z"));
            assertArrayEquals(new float[] {1f, -2.5f}, s.readFloats("a"));
            assertArrayEquals(new float[] {65504f}, s.readFloats("h"));
            // through the engine loader: float32 as is, float16 as the exact halves 1 = 0x3C00, -2 = 0xC000,
            // 0.5 = 0x3800, -2.5 = 0xC100, 65504 = 0x7BFF
            assertArrayEquals(new float[] {1f, -2.5f}, s.load("a", m, ai.djl.ndarray.types.DataType.FLOAT32)
                    .toFloatArray());
            assertArrayEquals(new float[] {65504f}, s.load("h", m, ai.djl.ndarray.types.DataType.FLOAT32)
                    .toFloatArray());
            assertArrayEquals(new short[] {0x3C00, (short) 0xC000, 0x3800}, SafetensorsLoadTest.halves(
                    s.load("z", m, ai.djl.ndarray.types.DataType.FLOAT16)));
            assertArrayEquals(new short[] {0x3C00, (short) 0xC100}, SafetensorsLoadTest.halves(
                    s.load("a", m, ai.djl.ndarray.types.DataType.FLOAT16)));
            assertArrayEquals(new short[] {0x7BFF}, SafetensorsLoadTest.halves(
                    s.load("h", m, ai.djl.ndarray.types.DataType.FLOAT16)));
        }
    }

    private static JsonArray offsets(long a, long b) {
        JsonArray arr = new JsonArray();
        arr.add(a);
        arr.add(b);
        return arr;
    }
}
