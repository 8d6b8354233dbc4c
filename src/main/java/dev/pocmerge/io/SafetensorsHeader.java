package dev.pocmerge.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.pocmerge.core.PocmergeException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and fully validates a safetensors header: {@code u64 little-endian N}, then N bytes of UTF-8 JSON, then
 * the data region. Parsed with a streaming reader because Gson's tree parser silently keeps the last of two
 * duplicate keys, and a checkpoint with two tensors of one name must be rejected, not half-loaded.
 */
final class SafetensorsHeader {
    /** HF's own limit; a larger value is a corrupt length word, not a real header. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    final Map<String, String> metadata;
    /** Sorted by data offset (the order the bytes sit in the file). */
    final List<TensorInfo> tensors;
    /** Absolute file position of the data region (8 + N). */
    final long dataStart;

    private SafetensorsHeader(Map<String, String> metadata, List<TensorInfo> tensors, long dataStart) {
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataStart = dataStart;
    }

    static SafetensorsHeader read(Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw fail(file, "file is " + fileSize + " bytes, shorter than the 8-byte header length (not a safetensors"
                    + " file, or truncated)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        // Compared unsigned: a length word with the top bit set is just as absurd as a huge positive one.
        if (Long.compareUnsigned(n, MAX_HEADER_BYTES) > 0) {
            throw fail(file, "header length " + Long.toUnsignedString(n) + " bytes is absurd (limit "
                    + MAX_HEADER_BYTES + "; not a safetensors file, or corrupt)");
        }
        if (n > fileSize - 8) {
            throw fail(file, "header length " + n + " bytes is longer than the file allows (" + (fileSize - 8)
                    + " bytes after the length word; truncated?)");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
        readFully(ch, headerBuf, 8);
        headerBuf.flip();
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBuf).toString();
        } catch (CharacterCodingException e) {
            throw fail(file, "header is not valid UTF-8");
        }
        long dataStart = 8 + n;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<RawEntry> raw = parse(file, json, metadata);
        List<TensorInfo> tensors = validate(file, raw, fileSize - dataStart);
        return new SafetensorsHeader(Collections.unmodifiableMap(metadata), List.copyOf(tensors), dataStart);
    }

    /** A tensor entry as written, before the checks that need the whole header. */
    private record RawEntry(String name, String dtype, long[] shape, long[] offsets) {}

    private static List<RawEntry> parse(Path file, String json, Map<String, String> metadata) {
        List<RawEntry> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw fail(file, "header JSON is a " + r.peek() + ", expected an object of tensor entries");
            }
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                if (!seen.add(name)) {
                    throw fail(file, "tensor " + q(name) + ": duplicate name in header (names must be unique)");
                }
                if (name.equals("__metadata__")) {
                    readMetadata(file, r, metadata);
                } else {
                    out.add(readEntry(file, r, name));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw fail(file, "header has data after the JSON object");
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw fail(file, "header is not valid JSON (" + firstLine(e.getMessage()) + ")");
        }
        return out;
    }

    private static void readMetadata(Path file, JsonReader r, Map<String, String> metadata) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw fail(file, "'__metadata__' must be an object of strings, found " + r.peek());
        }
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            if (r.peek() != JsonToken.STRING) {
                throw fail(file, "'__metadata__' key " + q(key) + " must be a string, found " + r.peek());
            }
            if (metadata.put(key, r.nextString()) != null) {
                throw fail(file, "'__metadata__' key " + q(key) + " appears twice");
            }
        }
        r.endObject();
    }

    private static RawEntry readEntry(Path file, JsonReader r, String name) throws IOException {
        String where = "tensor " + q(name) + ": ";
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw fail(file, where + "entry must be an object with dtype, shape, data_offsets; found " + r.peek());
        }
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        Set<String> fields = new HashSet<>();
        r.beginObject();
        while (r.hasNext()) {
            String field = r.nextName();
            if (!fields.add(field)) {
                throw fail(file, where + "field " + q(field) + " appears twice");
            }
            switch (field) {
                case "dtype" -> {
                    if (r.peek() != JsonToken.STRING) {
                        throw fail(file, where + "'dtype' must be a string, found " + r.peek());
                    }
                    dtype = r.nextString();
                }
                case "shape" -> shape = readLongs(file, r, where + "'shape'");
                case "data_offsets" -> offsets = readLongs(file, r, where + "'data_offsets'");
                default -> r.skipValue(); // unknown fields are harmless; the format may grow
            }
        }
        r.endObject();
        if (dtype == null || shape == null || offsets == null) {
            String missing = dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw fail(file, where + "missing " + q(missing) + "");
        }
        if (offsets.length != 2) {
            throw fail(file, where + "'data_offsets' must be [begin, end], found " + offsets.length + " numbers");
        }
        return new RawEntry(name, dtype, shape, offsets);
    }

    private static long[] readLongs(Path file, JsonReader r, String what) throws IOException {
        if (r.peek() != JsonToken.BEGIN_ARRAY) {
            throw fail(file, what + " must be an array of integers, found " + r.peek());
        }
        List<Long> values = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            if (r.peek() != JsonToken.NUMBER) {
                throw fail(file, what + " must be an array of integers, found " + r.peek());
            }
            try {
                values.add(r.nextLong());
            } catch (NumberFormatException e) {
                throw fail(file, what + " holds a value that is not a 64-bit integer");
            }
        }
        r.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static List<TensorInfo> validate(Path file, List<RawEntry> raw, long dataLen) {
        List<TensorInfo> out = new ArrayList<>(raw.size());
        for (RawEntry e : raw) {
            String where = "tensor " + q(e.name()) + ": ";
            Dtype dtype = dtypeOf(e.dtype());
            if (dtype == null) {
                throw fail(file, where + "unknown dtype " + q(e.dtype()) + " (supported: F64 F32 F16 BF16 I64 I32 I16"
                        + " I8 U8 BOOL)");
            }
            long numel = 1;
            for (long d : e.shape()) {
                if (d < 0) {
                    throw fail(file, where + "negative dimension in shape " + fmt(e.shape()));
                }
                try {
                    numel = Math.multiplyExact(numel, d);
                } catch (ArithmeticException ex) {
                    throw fail(file, where + "shape " + fmt(e.shape()) + " has more than 2^63 elements");
                }
            }
            long begin = e.offsets()[0];
            long end = e.offsets()[1];
            if (begin < 0 || end < begin) {
                throw fail(file, where + "data_offsets " + fmt(e.offsets()) + " must satisfy 0 <= begin <= end");
            }
            if (end > dataLen) {
                throw fail(file, where + "data_offsets " + fmt(e.offsets()) + " reach past the data region ("
                        + dataLen + " bytes; file truncated or offsets out of range)");
            }
            long need;
            try {
                need = Math.multiplyExact(numel, (long) dtype.bytes);
            } catch (ArithmeticException ex) {
                need = -1;
            }
            if (need != end - begin) {
                throw fail(file, where + "data_offsets " + fmt(e.offsets()) + " but dtype " + dtype + " × shape "
                        + fmt(e.shape()) + " needs " + (need < 0 ? "more than 2^63" : Long.toString(need)) + " bytes");
            }
            out.add(new TensorInfo(e.name(), dtype, e.shape().clone(), begin, end, file));
        }
        // Stable sort: header order breaks ties between empty tensors sharing an offset.
        out.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo prev = null;
        for (TensorInfo t : out) {
            if (t.begin() == t.end()) {
                continue; // empty tensors occupy no bytes and overlap nothing
            }
            if (prev != null && t.begin() < prev.end()) {
                throw fail(file, "tensor " + q(t.name()) + ": data_offsets [" + t.begin() + ", " + t.end()
                        + "] overlap tensor " + q(prev.name()) + " [" + prev.begin() + ", " + prev.end() + "]");
            }
            prev = t;
        }
        return out;
    }

    static Dtype dtypeOf(String s) {
        for (Dtype d : Dtype.values()) {
            if (d.name().equals(s)) {
                return d;
            }
        }
        return null;
    }

    static String fmt(long[] a) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < a.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(a[i]);
        }
        return sb.append(']').toString();
    }

    /** Quotes a name for a message; control characters are escaped so the message stays one line. */
    static String q(String s) {
        StringBuilder sb = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.append('\'').toString();
    }

    static PocmergeException fail(Path file, String what) {
        return new PocmergeException(file + ": " + what);
    }

    /** Gson appends a troubleshooting URL on a second line; our messages are one line. */
    static String firstLine(String s) {
        if (s == null) {
            return "unexpected end";
        }
        int nl = s.indexOf('\n');
        // Gson's advice to turn on lenient parsing is for programmers, not for someone holding a bad file.
        return (nl < 0 ? s : s.substring(0, nl)).replace('\r', ' ')
                .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON");
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int k = ch.read(buf, pos);
            if (k < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += k;
        }
    }
}
