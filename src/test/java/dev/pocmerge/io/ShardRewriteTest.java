package dev.pocmerge.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Re-writing a checkpoint into the same folder in another layout leaves only the new layout's files. */
class ShardRewriteTest {
    @TempDir
    Path dir;

    private static SafetensorsWriter writer() {
        SafetensorsWriter w = new SafetensorsWriter();
        for (int i = 0; i < 4; i++) {
            w.add("t" + i, Dtype.F32, new long[] {2}, new float[] {i, -i});
        }
        return w;
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void threeShardsThenOneThenTwo() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}"); // not a weights file: kept
        writer().writeSharded(dir, 3);
        assertEquals(List.of("config.json", "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", "model.safetensors.index.json"), files());
        writer().writeSharded(dir, 1);
        assertEquals(List.of("config.json", "model.safetensors"), files());
        try (TensorSource s = Checkpoints.open(dir)) {
            assertEquals(4, s.names().size());
        }
        writer().writeSharded(dir, 2);
        assertEquals(List.of("config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                "model.safetensors.index.json"), files());
    }
}
