package dev.pocmerge.core;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a path the user gave must be, checked before it is opened: reading a FIFO blocks forever, a folder fails
 * with an IOException's words, /dev/null reads as an empty file. Each message names the flag.
 */
public final class InputFiles {
    private InputFiles() {}

    /** {@code p} must be a regular file (or a link to one). */
    public static Path regularFile(Path p, String flag) {
        if (Files.isRegularFile(p)) {
            return p;
        }
        if (!Files.exists(p)) {
            throw new PocmergeException(flag + " " + p + ": file not found");
        }
        if (Files.isDirectory(p)) {
            throw new PocmergeException(flag + " " + p + ": is a folder; give a file");
        }
        throw new PocmergeException(flag + " " + p + ": not a regular file (a device, pipe or socket); give a file");
    }

    /** {@code p} must be a folder (or a link to one). */
    public static Path folder(Path p, String flag) {
        if (Files.isDirectory(p)) {
            return p;
        }
        if (!Files.exists(p)) {
            throw new PocmergeException(flag + " " + p + ": folder not found");
        }
        throw new PocmergeException(flag + " " + p + ": is a file, not a folder; give the folder that holds it"
                + (p.getParent() != null ? " (" + p.getParent() + "?)" : ""));
    }

    /** A folder, or a regular file: what a flag that takes either (a config.json or its model folder) accepts. */
    public static Path fileOrFolder(Path p, String flag) {
        if (Files.isDirectory(p)) {
            return p;
        }
        return regularFile(p, flag);
    }
}
