package dev.pocmerge.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.pocmerge.core.PocmergeException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Hugging Face sharded checkpoint: {@code model.safetensors.index.json} mapping each tensor to a shard file.
 * Everything is checked up front (paths, shard headers, every listed tensor present) so a bad folder fails at
 * open with one line instead of minutes into loading. Shard paths are checked lexically, not through symlinks:
 * the HF hub cache links snapshot files to blobs outside the folder, and those folders must load.
 */
public final class ShardedTensorSource implements TensorSource {
    private final Path index;
    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> owner;
    private final List<String> names;

    private ShardedTensorSource(Path index, List<SafetensorsFile> shards, Map<String, SafetensorsFile> owner,
            List<String> names) {
        this.index = index;
        this.shards = shards;
        this.owner = owner;
        this.names = names;
    }

    public static ShardedTensorSource open(Path indexFile) {
        Map<String, String> weightMap = readWeightMap(indexFile);
        Path dir = indexFile.toAbsolutePath().normalize().getParent();
        // Shard files in name order (model-00001-of-... first), each opened once.
        Map<String, Path> shardPaths = new TreeMap<>();
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            shardPaths.computeIfAbsent(e.getValue(), s -> resolveInside(indexFile, dir, e.getKey(), s));
        }
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> byShardName = new LinkedHashMap<>();
            for (Map.Entry<String, Path> s : shardPaths.entrySet()) {
                SafetensorsFile f = SafetensorsFile.open(s.getValue());
                opened.add(f);
                byShardName.put(s.getKey(), f);
            }
            Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                SafetensorsFile f = byShardName.get(e.getValue());
                if (!f.contains(e.getKey())) {
                    throw new PocmergeException(f.file() + ": tensor " + SafetensorsHeader.q(e.getKey()) + " is listed"
                            + " in " + indexFile.getFileName() + " but is not in this shard");
                }
                owner.put(e.getKey(), f);
            }
            List<String> names = new ArrayList<>();
            for (SafetensorsFile f : opened) {
                for (String n : f.names()) {
                    if (owner.get(n) == f) {
                        names.add(n);
                    }
                }
            }
            return new ShardedTensorSource(indexFile, List.copyOf(opened), owner, List.copyOf(names));
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** Rejects absolute paths and any path that normalizes to outside the model folder (e.g. ../evil). */
    private static Path resolveInside(Path indexFile, Path dir, String tensor, String shard) {
        String where = indexFile + ": weight_map[" + SafetensorsHeader.q(tensor) + "] = " + SafetensorsHeader.q(shard);
        Path rel;
        try {
            rel = dir.getFileSystem().getPath(shard);
        } catch (InvalidPathException e) {
            throw new PocmergeException(where + " is not a valid file name");
        }
        if (shard.isEmpty() || rel.isAbsolute() || shard.startsWith("/") || shard.startsWith("\\")
                || shard.matches("^[A-Za-z]:.*")) {
            throw new PocmergeException(where + " is an absolute path; shard paths must be relative to the model"
                    + " folder");
        }
        Path resolved = dir.resolve(rel).normalize();
        if (!resolved.startsWith(dir) || resolved.equals(dir)) {
            throw new PocmergeException(where + " leaves the model folder " + dir);
        }
        if (!Files.isRegularFile(resolved)) {
            throw new PocmergeException(where + ": shard file not found (" + resolved + ")");
        }
        return resolved;
    }

    /** Streams the index so duplicate tensor names are caught (a tree parse would keep the last silently). */
    private static Map<String, String> readWeightMap(Path indexFile) {
        Map<String, String> map = null;
        try (Reader in = Files.newBufferedReader(indexFile, StandardCharsets.UTF_8);
                JsonReader r = new JsonReader(in)) {
            r.setStrictness(Strictness.STRICT);
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw new PocmergeException(indexFile + ": index is a JSON " + r.peek() + ", expected an object with"
                        + " 'weight_map'");
            }
            r.beginObject();
            while (r.hasNext()) {
                String key = r.nextName();
                if (!key.equals("weight_map")) {
                    r.skipValue(); // "metadata" (total_size) is informational
                    continue;
                }
                if (map != null) {
                    throw new PocmergeException(indexFile + ": 'weight_map' appears twice");
                }
                if (r.peek() != JsonToken.BEGIN_OBJECT) {
                    throw new PocmergeException(indexFile + ": 'weight_map' must be an object, found " + r.peek());
                }
                map = new LinkedHashMap<>();
                r.beginObject();
                while (r.hasNext()) {
                    String tensor = r.nextName();
                    if (r.peek() != JsonToken.STRING) {
                        throw new PocmergeException(indexFile + ": weight_map[" + SafetensorsHeader.q(tensor)
                                + "] must be a shard file name, found " + r.peek());
                    }
                    if (map.put(tensor, r.nextString()) != null) {
                        throw new PocmergeException(indexFile + ": tensor " + SafetensorsHeader.q(tensor)
                                + " appears twice in weight_map");
                    }
                }
                r.endObject();
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new PocmergeException(indexFile + ": data after the JSON object");
            }
        } catch (NoSuchFileException e) {
            throw new PocmergeException(indexFile + ": file not found");
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new PocmergeException(indexFile + ": malformed JSON (" + SafetensorsHeader.firstLine(e.getMessage())
                    + ")");
        }
        if (map == null) {
            throw new PocmergeException(indexFile + ": no 'weight_map' object (not a safetensors index)");
        }
        return map;
    }

    public Path indexFile() {
        return index;
    }

    /** The shard files, in name order. */
    public List<Path> shardFiles() {
        List<Path> out = new ArrayList<>();
        shards.forEach(s -> out.add(s.file()));
        return Collections.unmodifiableList(out);
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return owner.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return shardOf(name).info(name);
    }

    @Override
    public float[] readFloats(String name) {
        return shardOf(name).readFloats(name);
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType dtype) {
        return shardOf(name).load(name, manager, dtype);
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }

    private SafetensorsFile shardOf(String name) {
        SafetensorsFile f = owner.get(name);
        if (f == null) {
            throw new PocmergeException(index + ": no tensor " + SafetensorsHeader.q(String.valueOf(name)) + " (the"
                    + " checkpoint has " + names.size() + " tensors)");
        }
        return f;
    }
}
