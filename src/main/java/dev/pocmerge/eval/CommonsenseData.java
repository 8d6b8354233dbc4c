package dev.pocmerge.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads LLM-Adapters test sets: a JSON list of {@code {"instruction", "input"?, "output", "answer"}} objects. The
 * choices of a row are the labels of its last line "Answer format: a/b/c" (every real set has one; ARC rows list
 * 3, 4 or 5), else the task's defaults. Errors name the file, the row (from 0) and the field.
 */
public final class CommonsenseData {
    private static final Pattern FORMAT = Pattern.compile("Answer format: ([A-Za-z0-9]+(?:/[A-Za-z0-9]+)*)\\s*$");

    /** The sets found under a data folder, and the tasks asked for whose test.json is missing. */
    public record Sets(List<CommonsenseTask> found, List<List<EvalItem>> items, List<CommonsenseTask> missing) {}

    private CommonsenseData() {}

    public static Path file(Path dataDir, CommonsenseTask task) {
        return dataDir.resolve(task.folder()).resolve("test.json");
    }

    /**
     * Loads {@code tasks} from {@code dataDir}. A missing set is an error unless {@code skipMissing} (for
     * {@code --tasks all}), when it is listed in {@link Sets#missing()} instead. {@code limit} > 0 keeps the
     * first rows only.
     */
    public static Sets load(Path dataDir, List<CommonsenseTask> tasks, boolean skipMissing, int limit) {
        if (!Files.isDirectory(dataDir)) {
            throw new PocmergeException("--data-dir " + dataDir + ": folder not found (it should hold <task>/test.json"
                    + " as LLM-Adapters' dataset/ folder does)");
        }
        List<CommonsenseTask> found = new ArrayList<>();
        List<List<EvalItem>> items = new ArrayList<>();
        List<CommonsenseTask> missing = new ArrayList<>();
        for (CommonsenseTask t : tasks) {
            Path f = file(dataDir, t);
            if (!Files.isRegularFile(f)) {
                if (skipMissing) {
                    missing.add(t);
                    continue;
                }
                throw new PocmergeException(f + ": file not found (task " + t.folder() + ")");
            }
            List<EvalItem> rows = load(f, t);
            found.add(t);
            items.add(limit > 0 && rows.size() > limit ? List.copyOf(rows.subList(0, limit)) : rows);
        }
        if (found.isEmpty()) {
            throw new PocmergeException("--data-dir " + dataDir + ": none of the asked sets is there (looked for "
                    + String.join(", ", missing.stream().map(t -> t.folder() + "/test.json").toList()) + ")");
        }
        return new Sets(found, items, missing);
    }

    public static List<EvalItem> load(Path file, CommonsenseTask task) {
        JsonElement root = Json.read(file);
        if (!root.isJsonArray()) {
            throw new PocmergeException(file + ": top level is not a list (expected a JSON list of {\"instruction\","
                    + " \"input\", \"output\", \"answer\"} objects)");
        }
        JsonArray rows = root.getAsJsonArray();
        if (rows.isEmpty()) {
            throw new PocmergeException(file + ": the list is empty");
        }
        List<EvalItem> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonElement e = rows.get(i);
            if (!e.isJsonObject()) {
                throw new PocmergeException(file + ": row " + i + " is not an object");
            }
            JsonObject o = e.getAsJsonObject();
            String instruction = string(o, "instruction", file, i, true);
            String input = string(o, "input", file, i, false);
            String answer = string(o, "answer", file, i, true);
            List<String> choices = choices(instruction, task, file, i);
            if (!choices.contains(answer)) {
                throw new PocmergeException(file + ": row " + i + ": field \"answer\" is '" + answer + "', not one of "
                        + String.join("/", choices) + (task.labels().contains(answer) ? " (the row's Answer format line)"
                        : " (task " + task.folder() + ")"));
            }
            out.add(new EvalItem(i, instruction, input, answer, choices));
        }
        return out;
    }

    /** The labels of the instruction's last "Answer format:" line, else the task's default choices. */
    static List<String> choices(String instruction, CommonsenseTask task, Path file, int row) {
        Matcher m = FORMAT.matcher(instruction);
        if (!m.find()) {
            return task.defaultChoices();
        }
        List<String> listed = Arrays.asList(m.group(1).split("/"));
        for (String l : listed) {
            if (!task.labels().contains(l)) {
                throw new PocmergeException(file + ": row " + row + ": field \"instruction\" ends in 'Answer format: "
                        + m.group(1) + "' but '" + l + "' is not a label of task " + task.folder() + " ("
                        + String.join("/", task.labels()) + ")");
            }
        }
        return List.copyOf(listed);
    }

    private static String string(JsonObject o, String field, Path file, int row, boolean required) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw new PocmergeException(file + ": row " + row + ": field \"" + field + "\" is "
                        + (e == null ? "missing" : "null"));
            }
            return "";
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new PocmergeException(file + ": row " + row + ": field \"" + field + "\" is not a string");
        }
        return e.getAsString();
    }
}
