package dev.pocmerge.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.PocmergeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file, memory-mapped. The header is parsed and validated in {@link #open}; tensor bytes are
 * mapped on demand, per tensor and in chunks, so files and tensors past 2 GiB work (one mapping is limited to
 * 2 GiB) and nothing is read that is not asked for. Thread-safe for reads.
 */
public final class SafetensorsFile implements TensorSource {
    /** Largest single mapping; a multiple of 8 so chunk edges never split an element. Tests lower it. */
    static volatile long chunkBytes = 1L << 30;
    /** Largest NDArray built in one piece by {@link #load}; larger tensors are loaded in row blocks. */
    static volatile long maxPieceBytes = (1L << 31) - (1L << 20);

    private final Path file;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final Map<String, TensorInfo> byName = new LinkedHashMap<>();
    private final List<String> names;
    private volatile boolean closed;

    private SafetensorsFile(Path file, FileChannel channel, SafetensorsHeader header) {
        this.file = file;
        this.channel = channel;
        this.header = header;
        for (TensorInfo t : header.tensors) {
            byName.put(t.name(), t);
        }
        this.names = List.copyOf(byName.keySet());
    }

    public static SafetensorsFile open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new PocmergeException(file + ": file not found");
        } catch (IOException e) {
            throw new PocmergeException(file + ": cannot open (" + SafetensorsHeader.firstLine(e.getMessage()) + ")", e);
        }
        try {
            return new SafetensorsFile(file, ch, SafetensorsHeader.read(file, ch));
        } catch (IOException e) {
            closeQuietly(ch);
            throw new PocmergeException(file + ": cannot read header (" + SafetensorsHeader.firstLine(e.getMessage())
                    + ")", e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** The {@code __metadata__} strings (empty when absent), in file order. */
    public Map<String, String> metadata() {
        return header.metadata;
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** A copy: TensorInfo's shape is an array, and a caller editing it must not change what we read. */
    @Override
    public TensorInfo info(String name) {
        TensorInfo t = entry(name);
        return new TensorInfo(t.name(), t.dtype(), t.shape().clone(), t.begin(), t.end(), t.file());
    }

    private TensorInfo entry(String name) {
        TensorInfo t = byName.get(name);
        if (t == null) {
            throw new PocmergeException(file + ": no tensor " + SafetensorsHeader.q(String.valueOf(name)) + " (the file"
                    + " has " + names.size() + " tensors)");
        }
        return t;
    }

    @Override
    public float[] readFloats(String name) {
        TensorInfo t = entry(name);
        long numel = t.numel();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new PocmergeException(file + ": tensor " + SafetensorsHeader.q(name) + " has " + numel
                    + " elements, too many for one Java float array");
        }
        float[] out = new float[(int) numel];
        int[] at = {0};
        forEachChunk(t, chunk -> {
            TensorCodec.toFloats(chunk, t.dtype(), out, at[0]);
            at[0] += chunk.remaining() / t.dtype().bytes;
        });
        return out;
    }

    /**
     * Copies the tensor's bytes unchanged to {@code out} (a merge passes untouched tensors through bit for bit,
     * whatever their dtype, without holding them in the heap).
     */
    public void transferTo(String name, java.nio.channels.WritableByteChannel out) {
        TensorInfo t = entry(name);
        if (closed) {
            throw new PocmergeException(file + ": reading tensor " + SafetensorsHeader.q(name) + " after close()");
        }
        long start = header.dataStart + t.begin();
        long len = t.end() - t.begin();
        try {
            if (channel.size() < start + len) {
                throw new PocmergeException(file + ": tensor " + SafetensorsHeader.q(name) + " lies past the end of"
                        + " the file (the file shrank after it was opened)");
            }
            for (long done = 0; done < len; ) {
                long n = channel.transferTo(start + done, len - done, out);
                if (n <= 0) {
                    throw new IOException("transfer stalled at byte " + done + " of " + len);
                }
                done += n;
            }
        } catch (IOException e) {
            throw new PocmergeException(file + ": cannot copy tensor " + SafetensorsHeader.q(name) + " ("
                    + SafetensorsHeader.firstLine(e.getMessage()) + ")", e);
        }
    }

    /**
     * Converts in Java into a direct native-order buffer (BF16 never reaches the engine), creates the array from
     * it and, on CPU, clones it into libtorch-owned memory: a CPU array made from a buffer only borrows it, and a
     * view that outlives the array would read freed memory once the buffer is collected.
     */
    @Override
    public NDArray load(String name, NDManager manager, DataType dtype) {
        TensorInfo t = entry(name);
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new PocmergeException(file + ": tensor " + SafetensorsHeader.q(name) + ": cannot load as " + dtype
                    + " (float32 or float16 only)");
        }
        int width = dtype == DataType.FLOAT32 ? 4 : 2;
        long[] shape = t.shape();
        NDArray result;
        if (t.numel() * width <= maxPieceBytes) {
            result = loadRows(t, 0, t.numel(), new Shape(shape), manager, dtype, width);
        } else {
            // One NDArray buffer holds < 2 GiB (Llama-3's embedding is 2.1 GB in float32): load row blocks, concat.
            long rowElems = shape.length == 0 || shape[0] == 0 ? t.numel() : t.numel() / shape[0];
            if (shape.length == 0 || rowElems * width > maxPieceBytes) {
                throw new PocmergeException(file + ": tensor " + SafetensorsHeader.q(name) + " needs "
                        + t.numel() * width + " bytes as " + dtype + " and its rows cannot be split under "
                        + maxPieceBytes + " bytes per piece");
            }
            long rowsPerPiece = maxPieceBytes / (rowElems * width);
            try (NDManager pieces = manager.newSubManager()) {
                ai.djl.ndarray.NDList list = new ai.djl.ndarray.NDList();
                for (long r0 = 0; r0 < shape[0]; r0 += rowsPerPiece) {
                    long rows = Math.min(rowsPerPiece, shape[0] - r0);
                    long[] ps = shape.clone();
                    ps[0] = rows;
                    list.add(loadRows(t, r0 * rowElems, rows * rowElems, new Shape(ps), pieces, dtype, width));
                }
                result = ai.djl.ndarray.NDArrays.concat(list, 0);
                result.attach(manager);
            }
        }
        result.setName(name);
        return result;
    }

    /** Elements [first, first + count) of {@code t} as one array of {@code shape}, converted to {@code dtype}. */
    private NDArray loadRows(TensorInfo t, long first, long count, Shape shape, NDManager manager, DataType dtype,
            int width) {
        ByteBuffer buf = ByteBuffer.allocateDirect((int) (count * width)).order(ByteOrder.nativeOrder());
        long srcWidth = t.dtype().bytes;
        forEachChunk(t, first * srcWidth, count * srcWidth, chunk -> {
            if (dtype == DataType.FLOAT32) {
                TensorCodec.appendFloat32(chunk, t.dtype(), buf);
            } else {
                TensorCodec.appendFloat16(chunk, t.dtype(), buf);
            }
        });
        buf.rewind();
        NDArray borrowed = manager.create(buf, shape, dtype);
        if (manager.getDevice().isGpu()) {
            return borrowed; // the engine copied it to the device
        }
        NDArray owned = borrowed.duplicate(); // on CPU the array only borrows our buffer
        borrowed.close();
        return owned;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(channel);
    }

    /** Maps the tensor's bytes in chunks of whole elements, checking the file did not shrink since open. */
    private void forEachChunk(TensorInfo t, java.util.function.Consumer<ByteBuffer> sink) {
        forEachChunk(t, 0, t.end() - t.begin(), sink);
    }

    /** As above, for bytes [from, from + len) of the tensor's data. */
    private void forEachChunk(TensorInfo t, long from, long len, java.util.function.Consumer<ByteBuffer> sink) {
        if (closed) {
            throw new PocmergeException(file + ": reading tensor " + SafetensorsHeader.q(t.name()) + " after close()");
        }
        long start = header.dataStart + t.begin() + from;
        try {
            // A mapped page past the end of a file that shrank under us is a SIGBUS, not an exception: check first.
            if (channel.size() < start + len) {
                throw new PocmergeException(file + ": tensor " + SafetensorsHeader.q(t.name()) + " lies past the end of"
                        + " the file (the file shrank after it was opened)");
            }
            long step = Math.max(8, chunkBytes - chunkBytes % 8);
            for (long pos = 0; pos < len; pos += step) {
                long n = Math.min(step, len - pos);
                sink.accept(channel.map(FileChannel.MapMode.READ_ONLY, start + pos, n).order(ByteOrder.LITTLE_ENDIAN));
            }
        } catch (IOException e) {
            throw new PocmergeException(file + ": cannot read tensor " + SafetensorsHeader.q(t.name()) + " ("
                    + SafetensorsHeader.firstLine(e.getMessage()) + ")", e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
