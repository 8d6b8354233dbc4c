package dev.pocmerge.core;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;

/** A strict JSON check for tests: one value, no NaN / Infinity / other lenient syntax (Gson's STRICT reader). */
public final class StrictJson {
    private StrictJson() {}

    /** Throws AssertionError naming the first non-strict token; returns {@code text} for chaining. */
    public static String check(String text) {
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.setStrictness(Strictness.STRICT);
            walk(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new AssertionError("more than one JSON value in: " + text);
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new AssertionError("not strict JSON (" + e.getMessage() + "): " + text, e);
        }
        return text;
    }

    private static void walk(JsonReader r) throws IOException {
        switch (r.peek()) {
            case BEGIN_OBJECT -> {
                r.beginObject();
                while (r.hasNext()) {
                    r.nextName();
                    walk(r);
                }
                r.endObject();
            }
            case BEGIN_ARRAY -> {
                r.beginArray();
                while (r.hasNext()) {
                    walk(r);
                }
                r.endArray();
            }
            case NUMBER -> r.nextDouble(); // STRICT: NaN/Infinity fail in peek() already
            case STRING -> r.nextString();
            case BOOLEAN -> r.nextBoolean();
            case NULL -> r.nextNull();
            default -> throw new AssertionError("unexpected " + r.peek());
        }
    }
}
