package dev.pocmerge.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads LLM-Adapters instruction JSON: one list of {@code {"instruction", "input", "output"}} objects (the
 * format of commonsense_170k.json and of the commonsense test sets). Fields beyond those three, like the test
 * sets' {@code answer}, are ignored. Row numbers in messages count from 0, as Python's list index does.
 */
public final class InstructionData {
    private static final String SCHEMA = "a JSON list of {\"instruction\", \"input\", \"output\"} objects";

    private InstructionData() {}

    public static List<Instruction> load(Path file) {
        if (!Files.exists(file)) {
            throw new PocmergeException(file + ": file not found (expected " + SCHEMA + ")");
        }
        if (!Files.isRegularFile(file)) {
            throw new PocmergeException(file + ": not a regular file (expected " + SCHEMA + ")");
        }
        JsonElement root = Json.read(file);
        if (!root.isJsonArray()) {
            throw new PocmergeException(file + ": top level is " + kind(root) + ", expected " + SCHEMA);
        }
        JsonArray rows = root.getAsJsonArray();
        if (rows.isEmpty()) {
            throw new PocmergeException(file + ": the list is empty; the training data needs at least one row");
        }
        List<Instruction> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonElement e = rows.get(i);
            if (!e.isJsonObject()) {
                throw new PocmergeException(file + ": row " + i + " is " + kind(e) + ", expected an object with"
                        + " string fields instruction, input (optional) and output");
            }
            JsonObject o = e.getAsJsonObject();
            out.add(new Instruction(required(o, "instruction", file, i), optional(o, "input", file, i),
                    required(o, "output", file, i)));
        }
        return out;
    }

    private static String required(JsonObject o, String field, Path file, int row) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new PocmergeException(file + ": row " + row + ": field \"" + field + "\" is "
                    + (e == null ? "missing" : "null") + "; every row needs a string " + field);
        }
        return string(e, field, file, row);
    }

    /** LLM-Adapters treats a missing, null or empty input alike: the no-input template. */
    private static String optional(JsonObject o, String field, Path file, int row) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? "" : string(e, field, file, row);
    }

    private static String string(JsonElement e, String field, Path file, int row) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new PocmergeException(file + ": row " + row + ": field \"" + field + "\" is " + kind(e)
                    + ", expected a string");
        }
        return e.getAsString();
    }

    private static String kind(JsonElement e) {
        if (e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonArray()) {
            return "a list";
        }
        if (e.isJsonObject()) {
            return "an object";
        }
        var p = e.getAsJsonPrimitive();
        return p.isBoolean() ? "a boolean (" + p + ")" : p.isNumber() ? "a number (" + p + ")" : "a string";
    }
}
