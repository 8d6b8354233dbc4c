package dev.pocmerge.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Writes a whole folder beside its target and renames it into place, so no reader ever sees half an adapter or
 * half a checkpoint: either the old folder, or the new one complete. Inside the temp folder files may be written
 * directly (the rename of the folder is what publishes them).
 */
public final class AtomicDirs {
    private AtomicDirs() {}

    @FunctionalInterface
    public interface Filler {
        void fill(Path tempDir) throws IOException;
    }

    /**
     * Fills a fresh temp folder and moves it to {@code target}. An existing {@code target} is replaced only when it
     * is empty or {@code mayReplace} accepts it ({@code what} names such a folder in the refusal): a mistyped
     * {@code --out .} must not delete a home folder. The old folder is first renamed aside (one rename, so it is
     * never half-deleted while visible), then deleted. On any failure the temp folder is removed and {@code target}
     * is left as it was.
     */
    public static void write(Path target, Predicate<Path> mayReplace, String what, Filler filler) {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            throw new PocmergeException(target + ": cannot replace a file system root");
        }
        Path tmp = null;
        try {
            if (Files.exists(abs) && !Files.isDirectory(abs)) {
                throw new PocmergeException(target + ": exists and is not a folder (remove it or choose another path)");
            }
            if (Files.isDirectory(abs) && !isEmpty(abs) && !mayReplace.test(abs)) {
                throw new PocmergeException(target + ": exists and is neither empty nor " + what + "; choose another"
                        + " folder or remove it");
            }
            Files.createDirectories(parent);
            TempFiles.cleanStale(parent);
            tmp = TempFiles.beside(abs);
            Files.createDirectory(tmp);
            filler.fill(tmp);
            publish(tmp, abs);
            TempFiles.release(tmp);
            tmp = null;
        } catch (IOException | UncheckedIOException e) {
            throw new PocmergeException(target + ": cannot write folder (" + e.getMessage() + ")", e);
        } finally {
            if (tmp != null) {
                TempFiles.delete(tmp);
            }
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** Moves the complete folder {@code tmp} to {@code abs}, replacing (renaming aside, then deleting) what is there. */
    static void publish(Path tmp, Path abs) throws IOException {
        try { // results are ordinary folders, whatever the umask
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its defaults
        }
        Path old = null;
        if (Files.exists(abs)) {
            // Not a temp name: if the process dies between the two renames, the previous folder survives
            // (hidden, under this name) instead of being removed as a stale temp.
            Path t = TempFiles.beside(abs);
            TempFiles.release(t);
            old = t.resolveSibling(t.getFileName().toString().replaceFirst("\\.tmp$", ".old"));
            move(abs, old);
        }
        try {
            move(tmp, abs);
        } catch (IOException e) {
            if (old != null) {
                move(old, abs); // put the previous folder back
            }
            throw e;
        }
        if (old != null) {
            deleteTree(old);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException | DirectoryNotEmptyException e) {
            Files.move(from, to);
        }
    }

    /** Best effort: a leftover temp folder is hidden (dot name) and harmless. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
