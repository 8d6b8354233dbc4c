package dev.pocmerge.io;

import dev.pocmerge.core.PocmergeException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the weights of a Hugging Face model folder the way {@code transformers} looks for them. */
public final class Checkpoints {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private Checkpoints() {}

    /**
     * {@code model.safetensors} when present (transformers prefers it too), else the sharded index. A path to a
     * {@code .safetensors} or {@code .index.json} file is opened directly.
     */
    public static TensorSource open(Path modelDir) {
        if (Files.isRegularFile(modelDir)) {
            String n = modelDir.getFileName().toString();
            if (n.endsWith(".index.json")) {
                return ShardedTensorSource.open(modelDir);
            }
            return SafetensorsFile.open(modelDir);
        }
        if (!Files.isDirectory(modelDir)) {
            throw new PocmergeException(modelDir + ": model folder not found");
        }
        Path single = modelDir.resolve(SINGLE);
        if (Files.isRegularFile(single)) {
            return SafetensorsFile.open(single);
        }
        Path index = modelDir.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            return ShardedTensorSource.open(index);
        }
        throw new PocmergeException(modelDir + ": no " + SINGLE + " or " + INDEX + " in this folder (is it a Hugging"
                + " Face model folder with safetensors weights?)");
    }
}
