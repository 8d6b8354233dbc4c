package dev.pocmerge.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.util.Map;

/**
 * Python's {@code json.dumps(value, indent=4)} (ensure_ascii on, separators "," and ": "), the exact bytes of the
 * LLM-Adapters dataset files, so a file we generate reads and diffs like theirs. Gson's own pretty printer
 * indents by two and would escape differently.
 */
public final class PythonJson {
    private PythonJson() {}

    public static String dumps(JsonElement value, int indent) {
        StringBuilder sb = new StringBuilder();
        write(value, indent, 0, sb);
        return sb.toString();
    }

    private static void write(JsonElement e, int indent, int depth, StringBuilder sb) {
        if (e == null || e.isJsonNull()) {
            sb.append("null");
        } else if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            if (p.isString()) {
                string(p.getAsString(), sb);
            } else if (p.isBoolean()) {
                sb.append(p.getAsBoolean() ? "true" : "false");
            } else {
                sb.append(p.getAsNumber()); // integers match Python; floats are not needed by the data files
            }
        } else if (e.isJsonArray()) {
            var a = e.getAsJsonArray();
            if (a.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < a.size(); i++) {
                sb.append(i == 0 ? "" : ",");
                newline(indent, depth + 1, sb);
                write(a.get(i), indent, depth + 1, sb);
            }
            newline(indent, depth, sb);
            sb.append(']');
        } else {
            var o = e.getAsJsonObject();
            if (o.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonElement> kv : o.entrySet()) {
                sb.append(first ? "" : ",");
                first = false;
                newline(indent, depth + 1, sb);
                string(kv.getKey(), sb);
                sb.append(": ");
                write(kv.getValue(), indent, depth + 1, sb);
            }
            newline(indent, depth, sb);
            sb.append('}');
        }
    }

    private static void newline(int indent, int depth, StringBuilder sb) {
        sb.append('\n');
        sb.append(" ".repeat(indent * depth));
    }

    /** Python's ESCAPE_ASCII: short escapes for " \ \n \r \t \b \f, \\u00xx (lower-case hex) outside ' '..'~'. */
    static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c >= ' ' && c <= '~') {
                        sb.append(c);
                    } else { // UTF-16 units, so a code point above U+FFFF becomes its surrogate pair, as in Python
                        sb.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        sb.append('"');
    }
}
