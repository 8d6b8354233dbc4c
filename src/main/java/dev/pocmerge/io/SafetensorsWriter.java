package dev.pocmerge.io;

import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a safetensors file (or an HF sharded folder) in memory and writes it atomically. Tensors keep insertion
 * order in both the header and the data region, so a reader that lists in data order sees what was added.
 */
public final class SafetensorsWriter {
    private record Entry(String name, Dtype dtype, long[] shape, byte[] data) {}

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Encodes float values as F32, F16 or BF16 (both halves rounded to nearest even). */
    public SafetensorsWriter add(String name, Dtype dtype, long[] shape, float[] values) {
        if (dtype != Dtype.F32 && dtype != Dtype.F16 && dtype != Dtype.BF16) {
            throw new PocmergeException("tensor " + SafetensorsHeader.q(name) + ": add() writes F32/F16/BF16, not "
                    + dtype + " (use addRaw for integer tensors)");
        }
        checkCount(name, shape, values.length);
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> b.asFloatBuffer().put(values);
            case F16 -> {
                for (float v : values) {
                    b.putShort(Halfs.floatToF16(v));
                }
            }
            default -> {
                for (float v : values) {
                    b.putShort(Halfs.floatToBf16(v));
                }
            }
        }
        return put(name, dtype, shape, b.array());
    }

    /** Any dtype, bytes already little-endian; the length must match dtype × shape. */
    public SafetensorsWriter addRaw(String name, Dtype dtype, long[] shape, byte[] littleEndianBytes) {
        long numel = checkCount(name, shape, -1);
        if (numel * dtype.bytes != littleEndianBytes.length) {
            throw new PocmergeException("tensor " + SafetensorsHeader.q(name) + ": " + littleEndianBytes.length
                    + " bytes but dtype " + dtype + " × shape " + SafetensorsHeader.fmt(shape) + " needs "
                    + numel * dtype.bytes);
        }
        return put(name, dtype, shape, littleEndianBytes.clone());
    }

    public void write(Path file) {
        writeFile(file, entries);
    }

    /**
     * Writes {@code dir/model.safetensors} when {@code shards == 1}; otherwise HF's layout: tensors split in order
     * into {@code model-0000K-of-0000N.safetensors} of roughly equal bytes, then the index (written last, so a
     * reader never finds an index naming a shard that is not there yet).
     */
    public void writeSharded(Path dir, int shards) {
        if (shards < 1 || shards > Math.max(1, entries.size())) {
            throw new PocmergeException(dir + ": cannot split " + entries.size() + " tensors into " + shards
                    + " shards (need 1 <= shards <= tensors)");
        }
        if (shards == 1) {
            write(dir.resolve("model.safetensors"));
            removeStale(dir, Set.of("model.safetensors"));
            return;
        }
        long total = 0;
        for (Entry e : entries) {
            total += e.data().length;
        }
        List<List<Entry>> parts = split(shards, total);
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (int k = 0; k < shards; k++) {
            String shardName = String.format("model-%05d-of-%05d.safetensors", k + 1, shards);
            writeFile(dir.resolve(shardName), parts.get(k));
            for (Entry e : parts.get(k)) {
                weightMap.put(e.name(), shardName);
            }
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", Map.of("total_size", total));
        index.put("weight_map", weightMap);
        Json.writeAtomic(dir.resolve("model.safetensors.index.json"), index);
        Set<String> kept = new HashSet<>(weightMap.values());
        kept.add("model.safetensors.index.json");
        removeStale(dir, kept);
    }

    private static final java.util.regex.Pattern WEIGHTS =
            java.util.regex.Pattern.compile("model(-\\d{5}-of-\\d{5})?\\.safetensors(\\.index\\.json)?");

    /**
     * Rewriting a checkpoint folder in another layout (3 shards, then 1) must not leave the old shards or index
     * beside the new files: a loader would read the old index. The index goes first, then the shards.
     */
    private static void removeStale(Path dir, Set<String> kept) {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(dir)) {
            List<Path> stale = new ArrayList<>(s.filter(p -> WEIGHTS.matcher(p.getFileName().toString()).matches()
                    && !kept.contains(p.getFileName().toString())).toList());
            stale.sort((a, b) -> Boolean.compare(!a.toString().endsWith(".json"), !b.toString().endsWith(".json")));
            for (Path p : stale) {
                java.nio.file.Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new PocmergeException(dir + ": cannot remove the previous shards (" + e.getMessage() + ")", e);
        }
    }

    /** Cuts where the running byte count passes k/shards of the total, keeping every shard non-empty. */
    private List<List<Entry>> split(int shards, long total) {
        List<List<Entry>> parts = new ArrayList<>();
        parts.add(new ArrayList<>());
        double before = 0;
        for (int i = 0; i < entries.size(); i++) {
            int s = parts.size() - 1;
            List<Entry> cur = parts.get(s);
            boolean mustCut = entries.size() - i == shards - s - 1 && s < shards - 1 && !cur.isEmpty();
            boolean wantCut = s < shards - 1 && !cur.isEmpty() && before >= (double) total * (s + 1) / shards;
            if (mustCut || wantCut) {
                parts.add(new ArrayList<>());
            }
            parts.get(parts.size() - 1).add(entries.get(i));
            before += entries.get(i).data().length;
        }
        return parts;
    }

    private void writeFile(Path file, List<Entry> list) {
        List<SafetensorsStream.Slot> slots = new ArrayList<>();
        for (Entry e : list) {
            slots.add(new SafetensorsStream.Slot(e.name(), e.dtype(), e.shape()));
        }
        byte[] head = SafetensorsStream.header(metadata, slots);
        AtomicFiles.write(file, out -> writeAll(out, head, list));
    }

    private static void writeAll(OutputStream out, byte[] head, List<Entry> list) throws IOException {
        out.write(head);
        for (Entry e : list) {
            out.write(e.data());
        }
    }

    private SafetensorsWriter put(String name, Dtype dtype, long[] shape, byte[] data) {
        if (!names.add(name)) {
            throw new PocmergeException("tensor " + SafetensorsHeader.q(name) + ": added twice (names must be unique)");
        }
        entries.add(new Entry(name, dtype, shape.clone(), data));
        return this;
    }

    /** Validates name and shape; returns numel and, when {@code count >= 0}, checks it equals numel. */
    private long checkCount(String name, long[] shape, long count) {
        if (name == null || name.isEmpty() || name.equals("__metadata__")) {
            throw new PocmergeException("tensor name " + (name == null ? "null" : SafetensorsHeader.q(name))
                    + " is not allowed");
        }
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new PocmergeException("tensor " + SafetensorsHeader.q(name) + ": negative dimension in shape "
                        + SafetensorsHeader.fmt(shape));
            }
            try {
                numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException e) {
                throw new PocmergeException("tensor " + SafetensorsHeader.q(name) + ": shape "
                        + SafetensorsHeader.fmt(shape) + " has more than 2^63 elements");
            }
        }
        if (numel > Integer.MAX_VALUE / 8) {
            // The writer holds each tensor in one Java byte array; real multi-GiB tensors come from elsewhere.
            throw new PocmergeException("tensor " + SafetensorsHeader.q(name) + ": shape " + SafetensorsHeader.fmt(shape)
                    + " is too large for the in-memory writer");
        }
        if (count >= 0 && count != numel) {
            throw new PocmergeException("tensor " + SafetensorsHeader.q(name) + ": " + count + " values but shape "
                    + SafetensorsHeader.fmt(shape) + " holds " + numel);
        }
        return numel;
    }
}
