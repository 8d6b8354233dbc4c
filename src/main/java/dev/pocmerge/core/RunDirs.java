package dev.pocmerge.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** {@code runs/<command>-<timestamp>/} unless {@code --out} names a folder. */
public final class RunDirs {
    private RunDirs() {}

    public static Path create(String command, Path out) {
        Path dir = path(command, out);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PocmergeException("--out " + dir + ": cannot create folder (" + e.getMessage() + ")", e);
        }
        return dir;
    }

    /** The folder {@link #create} would make, without making it (for outputs that appear atomically). */
    public static Path path(String command, Path out) {
        if (out != null) {
            return out;
        }
        String ts = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
        return Paths.get("runs", command + "-" + ts);
    }
}
