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
        Path dir = out;
        if (dir == null) {
            String ts = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
            dir = Paths.get("runs", command + "-" + ts);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PocmergeException("--out " + dir + ": cannot create folder (" + e.getMessage() + ")", e);
        }
        return dir;
    }
}
