package dev.pocmerge.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Our temp names and their lifetime. Every file or folder written before it is moved into place is named
 * {@code .<target>.pocmerge-<pid>-<random>.tmp} beside its target. Three things keep them from outliving a
 * writer: the writer deletes its own on failure; a shutdown hook deletes the live ones on SIGTERM / Ctrl-C;
 * and after a kill -9 the next writer into that folder removes those whose process is gone ({@link #cleanStale}).
 * The pid in the name is what makes the last safe: a temp of a writer still running elsewhere is left alone.
 */
public final class TempFiles {
    private static final Pattern NAME = Pattern.compile("^\\..*\\.pocmerge-(\\d+)-[0-9a-z]+\\.tmp$");
    private static final long PID = ProcessHandle.current().pid();
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TempFiles::deleteLive, "pocmerge-temp-cleanup"));
    }

    private TempFiles() {}

    /** A fresh temp name beside {@code target} (nothing is created), registered for deletion at JVM exit. */
    public static Path beside(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        String random = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".pocmerge-" + PID + "-" + random + ".tmp");
        LIVE.add(tmp);
        return tmp;
    }

    /** The temp is in place (moved) or deleted: the shutdown hook must not touch that path any more. */
    public static void release(Path tmp) {
        LIVE.remove(tmp);
    }

    /** Deletes {@code tmp} (a file or a folder tree) and releases it. */
    public static void delete(Path tmp) {
        AtomicDirs.deleteTree(tmp);
        release(tmp);
    }

    /** Whether {@code name} is one of our temp names. */
    public static boolean isTempName(String name) {
        return NAME.matcher(name).matches();
    }

    /**
     * Removes the temps in {@code dir} left by writers that no longer run (a kill -9, a power cut); a folder that
     * does not exist is skipped.
     */
    public static void cleanStale(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            return;
        }
        try (Stream<Path> s = Files.list(abs)) {
            for (Path p : s.toList()) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && isStale(p, Long.parseLong(m.group(1)))) {
                    AtomicDirs.deleteTree(p);
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // best effort: a leftover temp is hidden and never read
        }
    }

    private static boolean isStale(Path p, long pid) {
        if (pid == PID) {
            return !LIVE.contains(p); // a previous process that had our pid
        }
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    private static void deleteLive() {
        for (Path p : LIVE.toArray(new Path[0])) {
            AtomicDirs.deleteTree(p);
        }
    }
}
