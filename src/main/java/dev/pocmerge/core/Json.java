package dev.pocmerge.core;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSyntaxException;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * Gson in one place: pretty for files, compact for stdout; parse errors name the file. Every output is strict
 * JSON: a non-finite double or float (a diverged loss, a rate over zero seconds) is written as {@code null}, in
 * records, maps and arrays as in {@link JsonElement} trees built by hand. Like every null, it is left out of an
 * object (the key is absent) and kept in an array (so positions hold). A null read into a {@code double} is NaN.
 */
public final class Json {
    public static final Codec PRETTY = new Codec(builder().setPrettyPrinting().create());
    public static final Codec COMPACT = new Codec(builder().create());

    private Json() {}

    /** The part of Gson our code uses, with every output passed through {@link #finite}. */
    public static final class Codec {
        private final Gson gson;

        private Codec(Gson gson) {
            this.gson = gson;
        }

        public String toJson(Object value) {
            return gson.toJson(toJsonTree(value));
        }

        /** A tree with no non-finite number; a {@link JsonElement} argument is copied, not changed. */
        public JsonElement toJsonTree(Object value) {
            JsonElement e = value instanceof JsonElement j ? j.deepCopy() : gson.toJsonTree(value);
            return finite(e);
        }

        public <T> T fromJson(String json, Class<T> type) {
            return gson.fromJson(json, type);
        }

        public <T> T fromJson(String json, Type type) {
            return gson.fromJson(json, type);
        }

        public <T> T fromJson(JsonElement json, Class<T> type) {
            return gson.fromJson(json, type);
        }
    }

    private static GsonBuilder builder() {
        return new GsonBuilder().disableHtmlEscaping()
                .registerTypeAdapter(Double.class, new FiniteOrNull<Double>(null, d -> d).nullSafe())
                .registerTypeAdapter(double.class, new FiniteOrNull<>(Double.NaN, d -> d))
                .registerTypeAdapter(Float.class, new FiniteOrNull<Float>(null, d -> (float) d).nullSafe())
                .registerTypeAdapter(float.class, new FiniteOrNull<>(Float.NaN, d -> (float) d));
    }

    /** Replaces every non-finite number in {@code e} by {@link JsonNull} (in place); returns {@code e}. */
    public static JsonElement finite(JsonElement e) {
        if (e instanceof JsonObject o) {
            for (Map.Entry<String, JsonElement> m : o.entrySet()) {
                if (isNonFinite(m.getValue())) {
                    m.setValue(JsonNull.INSTANCE);
                } else {
                    finite(m.getValue());
                }
            }
        } else if (e instanceof JsonArray a) {
            for (int i = 0; i < a.size(); i++) {
                if (isNonFinite(a.get(i))) {
                    a.set(i, JsonNull.INSTANCE);
                } else {
                    finite(a.get(i));
                }
            }
        } else if (isNonFinite(e)) {
            return JsonNull.INSTANCE;
        }
        return e;
    }

    private static boolean isNonFinite(JsonElement e) {
        return e instanceof JsonPrimitive p && p.isNumber() && !Double.isFinite(p.getAsNumber().doubleValue());
    }

    /**
     * Doubles and floats, boxed or primitive: a non-finite value is written as null; null reads back as
     * {@code whenNull} (NaN for a primitive field, null for a boxed one).
     */
    private static final class FiniteOrNull<T extends Number> extends TypeAdapter<T> {
        private final T whenNull;
        private final DoubleFunction<T> of;

        FiniteOrNull(T whenNull, DoubleFunction<T> of) {
            this.whenNull = whenNull;
            this.of = of;
        }

        @Override
        public void write(JsonWriter out, T v) throws IOException {
            if (v == null || !Double.isFinite(v.doubleValue())) {
                out.nullValue();
            } else if (v instanceof Float f) {
                out.value(f.floatValue()); // the float's own shortest digits, not its double widening's
            } else {
                out.value(v.doubleValue());
            }
        }

        @Override
        public T read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return whenNull;
            }
            return of.apply(in.nextDouble());
        }
    }

    public static JsonElement read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new PocmergeException(file + ": file not found");
        } catch (IOException e) {
            throw new PocmergeException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        try {
            return JsonParser.parseString(text);
        } catch (JsonSyntaxException e) {
            String msg = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            // Gson puts a troubleshooting link on a second line; the CLI's diagnosis must stay one line
            int nl = msg.indexOf('\n');
            throw new PocmergeException(file + ": malformed JSON (" + (nl < 0 ? msg : msg.substring(0, nl)) + ")");
        }
    }

    public static void writeAtomic(Path file, Object value) {
        AtomicFiles.writeString(file, PRETTY.toJson(value) + "\n");
    }
}
