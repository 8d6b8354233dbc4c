package dev.pocmerge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pocmerge.core.PocmergeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedCheckpointTest {
    @TempDir
    Path dir;

    /** A small Llama-like checkpoint with mixed dtypes and sizes. */
    static SafetensorsWriter checkpoint() {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        w.add("model.embed_tokens.weight", Dtype.BF16, new long[] {32, 8},
                SafetensorsRoundTripTest.randomFloats(256, 10));
        for (int l = 0; l < 3; l++) {
            String p = "model.layers." + l + ".";
            w.add(p + "self_attn.q_proj.weight", Dtype.BF16, new long[] {8, 8},
                    SafetensorsRoundTripTest.randomFloats(64, 20 + l));
            w.add(p + "mlp.up_proj.weight", Dtype.F16, new long[] {16, 8},
                    SafetensorsRoundTripTest.randomFloats(128, 30 + l));
            w.add(p + "input_layernorm.weight", Dtype.F32, new long[] {8},
                    SafetensorsRoundTripTest.randomFloats(8, 40 + l));
        }
        w.add("model.norm.weight", Dtype.F32, new long[] {8}, SafetensorsRoundTripTest.randomFloats(8, 50));
        w.add("lm_head.weight", Dtype.BF16, new long[] {32, 8}, SafetensorsRoundTripTest.randomFloats(256, 60));
        return w;
    }

    @Test
    void shardedLoadEqualsSingleFileLoad() throws Exception {
        Path single = dir.resolve("single");
        Path sharded = dir.resolve("sharded");
        SafetensorsWriter w = checkpoint();
        w.writeSharded(single, 1);
        w.writeSharded(sharded, 3);
        assertTrue(Files.isRegularFile(single.resolve("model.safetensors")));
        assertFalse(Files.exists(single.resolve("model.safetensors.index.json")));
        for (int k = 1; k <= 3; k++) {
            assertTrue(Files.isRegularFile(sharded.resolve(String.format("model-%05d-of-00003.safetensors", k))));
        }
        assertFalse(Files.exists(sharded.resolve("model.safetensors")));

        JsonObject index = JsonParser.parseString(Files.readString(sharded.resolve("model.safetensors.index.json")))
                .getAsJsonObject();
        long total = index.getAsJsonObject("metadata").get("total_size").getAsLong();
        JsonObject weightMap = index.getAsJsonObject("weight_map");
        Set<String> shardsUsed = new HashSet<>();
        weightMap.entrySet().forEach(e -> shardsUsed.add(e.getValue().getAsString()));
        assertEquals(3, shardsUsed.size());

        try (TensorSource a = Checkpoints.open(single); TensorSource b = Checkpoints.open(sharded)) {
            assertInstanceOf(SafetensorsFile.class, a);
            assertInstanceOf(ShardedTensorSource.class, b);
            assertEquals(a.names(), b.names(), "order kept across shards");
            assertEquals(a.names().size(), weightMap.size());
            long sum = 0;
            for (String n : a.names()) {
                assertArrayEquals(a.readFloats(n), b.readFloats(n), n);
                assertEquals(a.info(n).dtype(), b.info(n).dtype());
                assertArrayEquals(a.info(n).shape(), b.info(n).shape());
                assertEquals(sharded.resolve(weightMap.get(n).getAsString()).toAbsolutePath(), b.info(n).file());
                sum += a.info(n).end() - a.info(n).begin();
            }
            assertEquals(sum, total);
        }
        // Roughly equal bytes: no shard holds more than twice its fair share here.
        for (int k = 1; k <= 3; k++) {
            try (SafetensorsFile s = SafetensorsFile.open(
                    sharded.resolve(String.format("model-%05d-of-00003.safetensors", k)))) {
                long bytes = s.names().stream().mapToLong(n -> s.info(n).end() - s.info(n).begin()).sum();
                assertTrue(bytes > 0 && bytes <= 2 * total / 3, "shard " + k + " holds " + bytes + " of " + total);
            }
        }
    }

    @Test
    void checkpointsPrefersTheSingleFileAndNamesTheFolderWhenEmpty() {
        SafetensorsWriter w = checkpoint();
        w.writeSharded(dir, 2);
        w.write(dir.resolve("model.safetensors")); // now both layouts are present (writeSharded would remove one)
        try (TensorSource s = Checkpoints.open(dir)) {
            assertInstanceOf(SafetensorsFile.class, s);
        }
        try (TensorSource s = Checkpoints.open(dir.resolve("model.safetensors.index.json"))) {
            assertInstanceOf(ShardedTensorSource.class, s);
            assertEquals(List.of(dir.resolve("model-00001-of-00002.safetensors").toAbsolutePath(),
                    dir.resolve("model-00002-of-00002.safetensors").toAbsolutePath()),
                    ((ShardedTensorSource) s).shardFiles());
        }
        Path empty = dir.resolve("empty");
        empty.toFile().mkdirs();
        PocmergeException e = assertThrows(PocmergeException.class, () -> Checkpoints.open(empty));
        assertTrue(e.getMessage().startsWith(empty.toString()) && e.getMessage().contains("model.safetensors"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        PocmergeException e2 = assertThrows(PocmergeException.class, () -> Checkpoints.open(dir.resolve("nope")));
        assertTrue(e2.getMessage().contains("nope"), e2.getMessage());
    }

    @Test
    void moreShardsThanTensorsIsRefused() {
        SafetensorsWriter w = new SafetensorsWriter().add("a", Dtype.F32, new long[] {1}, new float[] {1});
        assertThrows(PocmergeException.class, () -> w.writeSharded(dir, 2));
        assertThrows(PocmergeException.class, () -> w.writeSharded(dir, 0));
    }

    @Test
    void everyShardIsNonEmptyEvenWhenOneTensorDominates() throws Exception {
        SafetensorsWriter w = new SafetensorsWriter()
                .add("big", Dtype.F32, new long[] {1000}, new float[1000])
                .add("s1", Dtype.F32, new long[] {1}, new float[1])
                .add("s2", Dtype.F32, new long[] {1}, new float[1]);
        w.writeSharded(dir, 3);
        try (TensorSource s = Checkpoints.open(dir)) {
            assertEquals(List.of("big", "s1", "s2"), s.names());
            assertEquals(3, ((ShardedTensorSource) s).shardFiles().size());
        }
    }
}
