package dev.pocmerge.io;

import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one safetensors file tensor by tensor, for files that do not fit in memory (a merged 7B shard is ~10 GB).
 * Every tensor's name, dtype and shape is declared up front, so the header is written first; the data must then
 * arrive in that order with exactly the declared byte counts. Writes {@code file} directly: callers put it in a
 * temp folder that is moved into place ({@link dev.pocmerge.core.AtomicDirs}).
 */
public final class SafetensorsStream implements AutoCloseable {
    /** One declared tensor. */
    public record Slot(String name, Dtype dtype, long[] shape) {
        long bytes() {
            long n = dtype.bytes;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final List<Slot> slots;
    private int next;
    private long written;

    public SafetensorsStream(Path file, Map<String, String> metadata, List<Slot> slots) {
        this.file = file;
        this.slots = List.copyOf(slots);
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            writeFully(ByteBuffer.wrap(header(metadata, this.slots)));
        } catch (IOException e) {
            throw new PocmergeException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /** The header bytes HF writes: u64 length, compact JSON in slot order, spaces up to a multiple of 8. */
    static byte[] header(Map<String, String> metadata, List<Slot> slots) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", metadata);
        }
        long offset = 0;
        for (Slot s : slots) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("dtype", s.dtype().name());
            h.put("shape", s.shape());
            h.put("data_offsets", new long[] {offset, offset + s.bytes()});
            header.put(s.name(), h);
            offset += s.bytes();
        }
        byte[] json = Json.COMPACT.toJson(header).getBytes(StandardCharsets.UTF_8);
        // HF pads the header with spaces to a multiple of 8 so the data region starts aligned.
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = new byte[8 + padded];
        ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).put(json);
        for (int i = 8 + json.length; i < head.length; i++) {
            head[i] = ' ';
        }
        return head;
    }

    /** The next declared tensor's name (what {@link #put} / {@link #copy} must supply). */
    public Slot nextSlot() {
        if (next >= slots.size()) {
            throw new IllegalStateException(file + ": all " + slots.size() + " tensors are written");
        }
        return slots.get(next);
    }

    /** The next tensor's bytes (little-endian, already in the declared dtype). */
    public void put(String name, ByteBuffer data) {
        Slot s = expect(name, data.remaining());
        try {
            writeFully(data);
        } catch (IOException e) {
            throw new PocmergeException(file + ": cannot write tensor " + name + " (" + e.getMessage() + ")", e);
        }
        done(s);
    }

    /** The next tensor's bytes copied unchanged from {@code source} (file to file, never through the heap). */
    public void copy(String name, SafetensorsFile source) {
        TensorInfo t = source.info(name);
        Slot s = expect(name, t.end() - t.begin());
        source.transferTo(name, channel);
        done(s);
    }

    private Slot expect(String name, long bytes) {
        Slot s = nextSlot();
        if (!s.name().equals(name) || s.bytes() != bytes) {
            throw new IllegalStateException(file + ": expected tensor " + s.name() + " (" + s.bytes() + " bytes), got "
                    + name + " (" + bytes + " bytes)");
        }
        return s;
    }

    private void done(Slot s) {
        written += s.bytes();
        next++;
    }

    /**
     * In slices: the JDK copies a heap buffer into a temporary direct buffer as large as the write and caches it
     * per thread, so one 180 MB write would pin 180 MB of native memory for the rest of the run.
     */
    private void writeFully(ByteBuffer b) throws IOException {
        int slice = 8 << 20;
        while (b.hasRemaining()) {
            ByteBuffer part = b.slice(b.position(), Math.min(slice, b.remaining()));
            while (part.hasRemaining()) {
                channel.write(part);
            }
            b.position(b.position() + part.capacity());
        }
    }

    /** Closes the file; fails if not every declared tensor was written (the file would be unreadable). */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new PocmergeException(file + ": cannot close (" + e.getMessage() + ")", e);
        }
        if (next != slots.size()) {
            throw new IllegalStateException(file + ": closed after " + next + " of " + slots.size() + " tensors ("
                    + written + " data bytes)");
        }
    }
}
