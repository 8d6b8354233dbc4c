package dev.pocmerge.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/**
 * Named tensors of a checkpoint: one safetensors file, a sharded HF folder, or memory (tests). The contract
 * between {@code io/} (readers) and {@code llama/} (model loading). All errors are {@code PocmergeException}s
 * whose one-line message names the file and the tensor.
 */
public interface TensorSource extends AutoCloseable {
    /** Tensor names in file order (shards in index order). */
    List<String> names();

    boolean contains(String name);

    /** Header entry; throws naming the checkpoint and the tensor when absent. */
    TensorInfo info(String name);

    /** The tensor as float32 values (row-major), converted from F32/F16/BF16/F64. */
    float[] readFloats(String name);

    /**
     * The tensor as an NDArray of {@code dtype} (FLOAT32 or FLOAT16) on {@code manager}'s device, converted from
     * the file dtype (BF16 never reaches the engine).
     */
    NDArray load(String name, NDManager manager, DataType dtype);

    @Override
    void close();
}
