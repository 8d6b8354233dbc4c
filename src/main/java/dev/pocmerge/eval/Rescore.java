package dev.pocmerge.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pocmerge score}: accuracy from outputs made by any system, extracted as commonsense_evaluate.py does.
 * Reads JSON Lines ({@code {"index": row in test.json, "output": raw model text}} per line, our
 * predictions files included) or LLM-Adapters' saved JSON (a list of the test rows with {@code output_pred}
 * added; row i answers test row i). The gold label comes from {@code --data} when given, else from the row's
 * {@code gold} or {@code answer}.
 */
public final class Rescore {
    /** One answer to score. */
    public record Answer(int index, String output, String gold, String where) {}

    private Rescore() {}

    public static List<Answer> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PocmergeException(file + ": file not found");
        } catch (IOException e) {
            throw new PocmergeException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        List<Answer> out = new ArrayList<>();
        if (text.stripLeading().startsWith("[")) {
            JsonElement root = Json.read(file);
            JsonArray rows = root.getAsJsonArray();
            for (int i = 0; i < rows.size(); i++) {
                String where = file + ": row " + i;
                if (!rows.get(i).isJsonObject()) {
                    throw new PocmergeException(where + " is not an object");
                }
                JsonObject o = rows.get(i).getAsJsonObject();
                out.add(new Answer(i, field(o, "output_pred", where, true), field(o, "answer", where, false), where));
            }
            return out;
        }
        String[] lines = text.split("\n", -1);
        for (int l = 0; l < lines.length; l++) {
            String line = lines[l].strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + ": line " + (l + 1);
            JsonElement e;
            try {
                e = JsonParser.parseString(line);
            } catch (JsonSyntaxException ex) {
                throw new PocmergeException(where + ": malformed JSON");
            }
            if (!e.isJsonObject()) {
                throw new PocmergeException(where + ": not a JSON object");
            }
            JsonObject o = e.getAsJsonObject();
            JsonElement idx = o.get("index");
            if (idx == null || !idx.isJsonPrimitive() || !idx.getAsJsonPrimitive().isNumber()) {
                throw new PocmergeException(where + ": field \"index\" (the row number in test.json) is missing or"
                        + " not a number");
            }
            double d = idx.getAsDouble();
            if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new PocmergeException(where + ": field \"index\" is " + idx + ", not a row number");
            }
            String gold = field(o, "gold", where, false);
            out.add(new Answer((int) d, field(o, "output", where, true), gold != null ? gold
                    : field(o, "answer", where, false), where));
        }
        if (out.isEmpty()) {
            throw new PocmergeException(file + ": no predictions in it");
        }
        return out;
    }

    /** Scores {@code answers} on {@code task}; {@code data} (may be null) supplies gold labels by row. */
    public static TaskResult score(CommonsenseTask task, List<Answer> answers, List<EvalItem> data,
            AnswerExtraction.Split split) {
        Map<Integer, String> seen = new HashMap<>();
        List<ItemResult> items = new ArrayList<>();
        for (Answer a : answers) {
            if (seen.put(a.index(), a.where()) != null) {
                throw new PocmergeException(a.where() + ": index " + a.index() + " appears twice (also "
                        + seen.get(a.index()) + ")");
            }
            String gold = a.gold();
            if (data != null) {
                if (a.index() >= data.size()) {
                    throw new PocmergeException(a.where() + ": index " + a.index() + " is past the " + data.size()
                            + " rows of --data");
                }
                gold = data.get(a.index()).answer();
            }
            if (gold == null) {
                throw new PocmergeException(a.where() + ": no gold label (give --data test.json, or a \"gold\" or"
                        + " \"answer\" field)");
            }
            EvalItem item = new EvalItem(a.index(), "", "", gold, List.of(gold));
            items.add(Scoring.generated(task, item, null, a.output(), split));
        }
        return TaskResult.of(task, items);
    }

    private static String field(JsonObject o, String name, String where, boolean required) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw new PocmergeException(where + ": field \"" + name + "\" is missing");
            }
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new PocmergeException(where + ": field \"" + name + "\" is not a string");
        }
        return e.getAsString();
    }
}
