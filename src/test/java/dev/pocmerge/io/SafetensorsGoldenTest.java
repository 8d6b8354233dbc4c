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

    private static JsonArray offsets(long a, long b) {
        JsonArray arr = new JsonArray();
        arr.add(a);
        arr.add(b);
        return arr;
    }
}
