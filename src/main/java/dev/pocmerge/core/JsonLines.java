package dev.pocmerge.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends one compact JSON object per line (a {@code metrics.jsonl}), strict JSON like every output. */
public final class JsonLines {
    private final Path file;

    public JsonLines(Path file) {
        this.file = file;
    }

    /** Appends {@code row} as one line and closes the file, so a killed run leaves whole lines only. */
    public void append(Object row) {
        try {
            Files.writeString(file, Json.COMPACT.toJson(row) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new PocmergeException(file + ": cannot append (" + e.getMessage() + ")", e);
        }
    }
}
