package dev.pocmerge.lora;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.AtomicDirs;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.io.Checkpoints;
import dev.pocmerge.io.Dtype;
import dev.pocmerge.io.Halfs;
import dev.pocmerge.io.PeftFiles;
import dev.pocmerge.io.SafetensorsFile;
import dev.pocmerge.io.SafetensorsStream;
import dev.pocmerge.io.ShardedTensorSource;
import dev.pocmerge.io.TensorInfo;
import dev.pocmerge.io.TensorSource;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Writes {@code W0 + scale·B·A} for every adapted projection as a Hugging Face checkpoint laid out exactly like
 * the base: the same shard files holding the same tensors in the same order, the base's index copied, each
 * tensor in its base dtype (BF16 stays BF16), every other tensor copied byte for byte, config, generation config
 * and tokenizer files copied. Streams one tensor at a time (a 7B shard is ~10 GB), computing B·A with libtorch on
 * the CPU in float32; the folder appears only when complete.
 */
final class FullWeights {
    /** Files besides the weights that make the folder loadable by transformers and by us. */
    private static final List<String> COPIED = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model", "added_tokens.json",
            "chat_template.jinja", "chat_template.json");

    private FullWeights() {}

    static void write(Path baseDir, LoraAdapter merged, Path outDir, BiConsumer<Integer, Integer> progress,
            AtomicDirs.Filler extra) {
        LlamaConfig config = LlamaCheckpoint.config(baseDir);
        PeftFiles.checkFits(merged, config, Path.of("merged adapter"));
        Path base = baseDir.toAbsolutePath().normalize();
        Path out = outDir.toAbsolutePath().normalize();
        if (base.startsWith(out) || out.startsWith(base)) {
            throw new PocmergeException(outDir + ": the output folder must not be, contain or lie inside the base model"
                    + " folder " + baseDir);
        }
        Map<String, ModuleKey> adapted = new HashMap<>();
        merged.modules().keySet().forEach(k -> adapted.put(LlamaNames.linear(k.layer(), k.module()), k));
        Engines.pytorch();
        try (TensorSource source = Checkpoints.open(baseDir)) {
            for (String name : adapted.keySet()) {
                if (!source.contains(name)) {
                    throw new PocmergeException(baseDir + ": the checkpoint has no tensor " + name + ", which the merged"
                            + " adapter changes");
                }
                if (!source.info(name).dtype().isFloat()) {
                    throw new PocmergeException(baseDir + ": tensor " + name + " is " + source.info(name).dtype()
                            + " (quantized?); merging needs float weights");
                }
            }
            Map<Path, List<String>> shards = layout(source);
            int total = source.names().size();
            AtomicDirs.write(outDir, FullWeights::isCheckpoint, "a Hugging Face checkpoint folder", tmp -> {
                int done = 0;
                for (Map.Entry<Path, List<String>> shard : shards.entrySet()) {
                    Path target = tmp.resolve(base.relativize(shard.getKey()).toString());
                    Files.createDirectories(target.getParent());
                    try (SafetensorsFile in = SafetensorsFile.open(shard.getKey())) {
                        List<SafetensorsStream.Slot> slots = new ArrayList<>();
                        for (String n : shard.getValue()) {
                            TensorInfo t = in.info(n);
                            slots.add(new SafetensorsStream.Slot(n, t.dtype(), t.shape()));
                        }
                        try (SafetensorsStream w = new SafetensorsStream(target, in.metadata(), slots)) {
                            for (String n : shard.getValue()) {
                                ModuleKey k = adapted.get(n);
                                if (k == null) {
                                    w.copy(n, in);
                                } else {
                                    w.put(n, mergedBytes(in, n, merged.settings().scale(), merged.modules().get(k)));
                                }
                                progress.accept(++done, total);
                            }
                        }
                    }
                }
                if (source instanceof ShardedTensorSource s) {
                    // Same shards, tensors, dtypes and shapes: the base index (weight_map, total_size) is still true.
                    Files.copy(s.indexFile(), tmp.resolve(Checkpoints.INDEX), StandardCopyOption.COPY_ATTRIBUTES);
                }
                for (String f : COPIED) {
                    if (Files.isRegularFile(baseDir.resolve(f))) {
                        Files.copy(baseDir.resolve(f), tmp.resolve(f));
                    }
                }
                extra.fill(tmp);
            });
        }
    }

    /** What a previous merge wrote: config.json and safetensors weights (the folder {@link #write} may replace). */
    private static boolean isCheckpoint(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json")) && (Files.isRegularFile(dir.resolve(Checkpoints.SINGLE))
                || Files.isRegularFile(dir.resolve(Checkpoints.INDEX)));
    }

    /** Shard file → its tensors in data order; one entry for a single-file checkpoint. */
    private static Map<Path, List<String>> layout(TensorSource source) {
        Map<Path, List<String>> shards = new LinkedHashMap<>();
        if (source instanceof ShardedTensorSource s) {
            for (Path p : s.shardFiles()) {
                shards.put(p, new ArrayList<>());
            }
            // names() is in shard order, and in data order within a shard
            for (String n : s.names()) {
                shards.get(s.info(n).file()).add(n);
            }
        } else {
            SafetensorsFile f = (SafetensorsFile) source;
            shards.put(f.file().toAbsolutePath().normalize(), new ArrayList<>(f.names()));
        }
        return shards;
    }

    /** W0 + scale·B·A in W0's dtype, little-endian. */
    private static ByteBuffer mergedBytes(SafetensorsFile in, String name, double scale, LoraFactors f)
            throws IOException {
        TensorInfo t = in.info(name);
        float[] w;
        try (NDManager nd = NDManager.newBaseManager(Device.cpu())) {
            NDArray w0 = in.load(name, nd, DataType.FLOAT32);
            NDArray b = Tensors.of(nd, f.b(), new Shape(f.out(), f.rank()), DataType.FLOAT32);
            NDArray a = Tensors.of(nd, f.a(), new Shape(f.rank(), f.in()), DataType.FLOAT32);
            NDArray delta = b.matMul(a).muli(Tensors.k(b, scale));
            w = w0.addi(delta).toFloatArray();
        }
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(w.length, t.dtype().bytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case F32 -> out.asFloatBuffer().put(w);
            case F16 -> {
                for (float v : w) {
                    out.putShort(Halfs.floatToF16(v));
                }
            }
            case BF16 -> {
                for (float v : w) {
                    out.putShort(Halfs.floatToBf16(v));
                }
            }
            default -> throw new PocmergeException(in.file() + ": tensor " + name + " is " + t.dtype()
                    + "; merged weights are written as F32, F16 or BF16");
        }
        out.rewind();
        return out;
    }
}
