package dev.pocmerge.core;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Gson in one place: pretty for files, compact for stdout; parse errors name the file. */
public final class Json {
    public static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .disableHtmlEscaping().create();
    public static final Gson COMPACT = new GsonBuilder().serializeSpecialFloatingPointValues()
            .disableHtmlEscaping().create();

    private Json() {}

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
