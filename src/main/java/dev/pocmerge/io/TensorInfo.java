package dev.pocmerge.io;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;

/** One tensor's header entry: where it lives and what it is. Offsets are relative to the data region. */
public record TensorInfo(String name, Dtype dtype, long[] shape, long begin, long end, Path file) {
    public long numel() {
        return new Shape(shape).size();
    }
}
