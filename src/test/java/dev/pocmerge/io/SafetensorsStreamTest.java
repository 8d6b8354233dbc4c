package dev.pocmerge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsStreamTest {
    @TempDir
    Path tmp;

    @Test
    void streamedFileIsByteIdenticalToTheInMemoryWriters() throws Exception {
        float[] x = SafetensorsRoundTripTest.randomFloats(60, 1);
        float[] y = SafetensorsRoundTripTest.randomFloats(7, 2);
        Path want = tmp.resolve("want.safetensors");
        new SafetensorsWriter().metadata("format", "pt").add("x", Dtype.BF16, new long[] {6, 10}, x)
                .add("y", Dtype.F32, new long[] {7}, y).write(want);

        Path got = tmp.resolve("got.safetensors");
        try (SafetensorsFile src = SafetensorsFile.open(want);
                SafetensorsStream w = new SafetensorsStream(got, Map.of("format", "pt"), List.of(
                        new SafetensorsStream.Slot("x", Dtype.BF16, new long[] {6, 10}),
                        new SafetensorsStream.Slot("y", Dtype.F32, new long[] {7})))) {
            w.copy("x", src); // raw bytes
            ByteBuffer b = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(y);
            w.put("y", b);
        }
        assertArrayEquals(Files.readAllBytes(want), Files.readAllBytes(got));
    }

    @Test
    void outOfOrderWrongSizeOrIncompleteIsAProgrammingError() {
        SafetensorsStream w = new SafetensorsStream(tmp.resolve("a"), Map.of(), List.of(
                new SafetensorsStream.Slot("x", Dtype.F32, new long[] {2}),
                new SafetensorsStream.Slot("y", Dtype.F32, new long[] {1})));
        assertThrows(IllegalStateException.class, () -> w.put("y", ByteBuffer.allocate(4)));
        assertThrows(IllegalStateException.class, () -> w.put("x", ByteBuffer.allocate(4)));
        w.put("x", ByteBuffer.allocate(8));
        assertThrows(IllegalStateException.class, w::close);
    }
}
