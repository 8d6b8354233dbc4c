package dev.pocmerge.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.core.PocmergeException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/** Every bad file is one PocmergeException line naming the file (and tensor), never a crash or a stray RTE. */
class SafetensorsMalformedTest {
    @TempDir
    Path dir;

    private static final String OK_ENTRY = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    private Path raw(String name, long headerLen, byte[] header, int dataBytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLen).array());
        out.write(header);
        out.write(new byte[dataBytes]);
        Path f = dir.resolve(name);
        Files.write(f, out.toByteArray());
        return f;
    }

    private Path file(String name, String headerJson, int dataBytes) throws Exception {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        return raw(name, h.length, h, dataBytes);
    }

    /** Opens (and reads every tensor of) {@code f}; asserts one line naming the file and each expected part. */
    private static void rejects(Path f, String... parts) {
        rejects(f.getFileName().toString(), () -> {
            try (TensorSource s = Checkpoints.open(f)) {
                s.names().forEach(s::readFloats);
            }
        }, parts);
    }

    private static void rejects(String fileName, Executable what, String... parts) {
        PocmergeException e = assertThrows(PocmergeException.class, what);
        String m = e.getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
        assertTrue(m.contains(fileName), "names the file " + fileName + ": " + m);
        for (String p : parts) {
            assertTrue(m.contains(p), "mentions '" + p + "': " + m);
        }
    }

    @Test
    void shorterThanTheLengthWord() throws Exception {
        Path f = dir.resolve("tiny.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        rejects(f, "shorter than");
    }

    @Test
    void headerLongerThanTheFile() throws Exception {
        rejects(raw("long.safetensors", 5000, "{}".getBytes(StandardCharsets.UTF_8), 0), "header length 5000",
                "longer than");
    }

    @Test
    void absurdHeaderLength() throws Exception {
        rejects(raw("absurd.safetensors", 1L << 40, new byte[16], 0), "absurd");
        rejects(raw("negative.safetensors", -1L, new byte[16], 0), "absurd");
    }

    @Test
    void headerNotJsonOrNotAnObjectOrNotUtf8() throws Exception {
        rejects(file("nojson.safetensors", "{\"w\": {\"dtype\": \"F3", 0), "not valid JSON");
        rejects(file("garbage.safetensors", "hello world", 0), "not valid JSON");
        rejects(file("array.safetensors", "[1, 2, 3]", 0), "expected an object");
        rejects(file("trailing.safetensors", "{}{}", 0), "not valid JSON");
        byte[] bad = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        rejects(raw("utf8.safetensors", bad.length, bad, 0), "UTF-8");
    }

    @Test
    void truncatedData() throws Exception {
        rejects(file("trunc.safetensors", "{" + OK_ENTRY + "}", 5), "tensor 'w'", "[0, 8]", "truncated");
    }

    @Test
    void offsetsOutOfRange() throws Exception {
        rejects(file("range.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 8),
                "tensor 'w'", "[8, 16]", "past the data region");
        rejects(file("backwards.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8),
                "tensor 'w'", "begin <= end");
        rejects(file("negoff.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8),
                "tensor 'w'", "begin <= end");
    }

    @Test
    void overlappingOffsets() throws Exception {
        rejects(file("overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "tensor 'b'", "overlap",
                "tensor 'a'");
    }

    @Test
    void shapeAndDtypeDisagreeWithTheByteLength() throws Exception {
        rejects(file("model.safetensors",
                "{\"model.norm.weight\":{\"dtype\":\"F32\",\"shape\":[16],\"data_offsets\":[0,96]}}", 96),
                "tensor 'model.norm.weight'", "data_offsets [0, 96] but dtype F32 × shape [16] needs 64 bytes");
        rejects(file("huge.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}", 8), "tensor 'w'", "2^63");
    }

    @Test
    void duplicateNames() throws Exception {
        rejects(file("dup.safetensors", "{" + OK_ENTRY + "," + OK_ENTRY.replace("[0,8]", "[8,16]") + "}", 16),
                "tensor 'w'", "duplicate");
        rejects(file("dupfield.safetensors", "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[2],"
                + "\"data_offsets\":[0,8]}}", 8), "tensor 'w'", "'dtype' appears twice");
    }

    @Test
    void unknownDtype() throws Exception {
        rejects(file("dtype.safetensors", "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8),
                "tensor 'w'", "unknown dtype 'F8_E4M3'");
    }

    @Test
    void negativeDimension() throws Exception {
        rejects(file("negdim.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2,-1],\"data_offsets\":[0,8]}}", 8),
                "tensor 'w'", "negative dimension");
    }

    @Test
    void missingOrMistypedFields() throws Exception {
        rejects(file("nooff.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "tensor 'w'",
                "missing 'data_offsets'");
        rejects(file("strshape.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8),
                "tensor 'w'", "'shape' must be an array of integers");
        rejects(file("fracshape.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}",
                8), "tensor 'w'", "'shape'");
        rejects(file("threeoff.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}",
                8), "tensor 'w'", "[begin, end]");
        rejects(file("numdtype.safetensors", "{\"w\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                "tensor 'w'", "'dtype' must be a string");
        rejects(file("entry.safetensors", "{\"w\":[1,2]}", 8), "tensor 'w'", "must be an object");
        rejects(file("meta.safetensors", "{\"__metadata__\":{\"k\":1}," + OK_ENTRY + "}", 8), "'__metadata__'");
    }

    @Test
    void controlCharactersInNamesKeepTheMessageOnOneLine() throws Exception {
        rejects(file("nl.safetensors", "{\"a\\nb\":{\"dtype\":\"X\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                "tensor 'a\\u000ab'");
    }

    @Test
    void missingTensorByName() throws Exception {
        Path f = dir.resolve("ok.safetensors");
        new SafetensorsWriter().add("w", Dtype.F32, new long[] {1}, new float[] {1}).write(f);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            rejects("ok.safetensors", () -> s.info("model.norm.weight"), "'model.norm.weight'");
            rejects("ok.safetensors", () -> s.readFloats("model.norm.weight"), "'model.norm.weight'");
            rejects("ok.safetensors", () -> s.load("model.norm.weight", null, ai.djl.ndarray.types.DataType.FLOAT32),
                    "'model.norm.weight'");
            rejects("ok.safetensors", () -> s.load("w", null, ai.djl.ndarray.types.DataType.INT32), "tensor 'w'",
                    "int32");
        }
        rejects("missing.safetensors", () -> SafetensorsFile.open(dir.resolve("missing.safetensors")), "not found");
    }

    // ---- sharded folders ----

    private Path shardedFolder() {
        Path d = dir.resolve("sharded");
        new SafetensorsWriter().add("a", Dtype.F32, new long[] {2}, new float[] {1, 2})
                .add("b", Dtype.BF16, new long[] {2}, new float[] {3, 4}).writeSharded(d, 2);
        return d;
    }

    private static void index(Path d, String json) throws Exception {
        Files.writeString(d.resolve("model.safetensors.index.json"), json);
    }

    private static String weightMap(String b) {
        return "{\"metadata\":{\"total_size\":12},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\",\"b\":"
                + b + "}}";
    }

    @Test
    void shardPathLeavingTheFolder() throws Exception {
        Path d = shardedFolder();
        Files.copy(d.resolve("model-00002-of-00002.safetensors"), dir.resolve("evil.safetensors"));
        index(d, weightMap("\"../evil.safetensors\""));
        rejects(d, "model.safetensors.index.json", "'b'", "'../evil.safetensors'", "leaves the model folder");
        index(d, weightMap("\"sub/../../evil.safetensors\""));
        rejects(d, "model.safetensors.index.json", "leaves the model folder");
        index(d, weightMap("\".\""));
        rejects(d, "model.safetensors.index.json", "leaves the model folder");
    }

    @Test
    void absoluteShardPath() throws Exception {
        Path d = shardedFolder();
        String abs = d.resolve("model-00002-of-00002.safetensors").toAbsolutePath().toString();
        index(d, weightMap("\"" + abs.replace("\\", "\\\\") + "\""));
        rejects(d, "model.safetensors.index.json", "'b'", "absolute path");
    }

    @Test
    void missingShard() throws Exception {
        Path d = shardedFolder();
        Files.delete(d.resolve("model-00002-of-00002.safetensors"));
        rejects(d, "model.safetensors.index.json", "'b'", "model-00002-of-00002.safetensors", "not found");
    }

    @Test
    void tensorMissingFromItsShard() throws Exception {
        Path d = shardedFolder();
        index(d, "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002"
                + ".safetensors\",\"c\":\"model-00002-of-00002.safetensors\"}}");
        rejects(d, "model-00002-of-00002.safetensors", "tensor 'c'", "not in this shard");
    }

    @Test
    void brokenIndex() throws Exception {
        Path d = shardedFolder();
        index(d, "{\"weight_map\": {\"a\": ");
        rejects(d, "model.safetensors.index.json", "malformed JSON");
        index(d, "{\"metadata\":{}}");
        rejects(d, "model.safetensors.index.json", "no 'weight_map'");
        index(d, "{\"weight_map\":[\"a\"]}");
        rejects(d, "model.safetensors.index.json", "'weight_map' must be an object");
        index(d, "{\"weight_map\":{\"a\":1}}");
        rejects(d, "model.safetensors.index.json", "weight_map['a']");
        index(d, "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\",\"a\":\"model-00001-of-00002"
                + ".safetensors\"}}");
        rejects(d, "model.safetensors.index.json", "tensor 'a'", "twice");
    }

    @Test
    void missingTensorInAShardedCheckpoint() {
        Path d = shardedFolder();
        try (TensorSource s = Checkpoints.open(d)) {
            rejects("model.safetensors.index.json", () -> s.readFloats("lm_head.weight"), "'lm_head.weight'");
        }
    }

    @Test
    void badShardHeaderNamesTheShard() throws Exception {
        Path d = shardedFolder();
        Files.write(d.resolve("model-00002-of-00002.safetensors"), new byte[] {9, 9});
        rejects(d, "model-00002-of-00002.safetensors", "shorter than");
    }
}
