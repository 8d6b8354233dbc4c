package dev.pocmerge.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * {@code runs/<command>-<timestamp>/} unless {@code --out} names a folder. The contract for every command that
 * writes: {@code --out} never destroys anything.
 * <ul>
 * <li>A folder that does not exist, or is empty, is made and written in place.</li>
 * <li>An existing non-empty folder (a previous run, a model folder) is refused unless {@code --overwrite}.</li>
 * <li>With {@code --overwrite} the old folder is renamed aside (one rename, beside it, hidden:
 * {@code .<name>.pocmerge-<pid>-<r>.old}) and the run writes a fresh folder in its place. When the command
 * succeeds the old folder is deleted; when it fails, or is stopped by SIGTERM / Ctrl-C, the new folder is
 * deleted and the old one renamed back. After a kill -9 the old folder survives under its hidden name.</li>
 * <li>{@code --out ""} is an error (not the current directory); {@code --overwrite} refuses a folder that holds
 * the current directory or the home folder.</li>
 * </ul>
 * {@code Main} ends every command with {@link #finish}; a command that writes a result and then reports a user
 * error (a diverged run) calls {@link #keep} first, so its folder stands.
 */
public final class RunDirs {
    /** Runs opened with {@code --overwrite} over a non-empty folder: target → the old folder set aside. */
    private static final Map<Path, Path> ASIDE = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> finish(false), "pocmerge-run-restore"));
    }

    private RunDirs() {}

    /** Makes the run folder of {@code command} under the contract above and returns it. */
    public static Path open(String command, Path out, boolean overwrite) {
        Path target = path(command, out);
        Path abs = target.toAbsolutePath().normalize();
        try {
            if (refuseUnlessOverwrite(target, overwrite)) {
                Path t = TempFiles.beside(abs);
                TempFiles.release(t); // not a temp: the previous run, kept until this one succeeds
                Path old = t.resolveSibling(t.getFileName().toString().replaceFirst("\\.tmp$", ".old"));
                Files.move(abs, old);
                ASIDE.put(abs, old);
            }
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new PocmergeException("--out " + target + ": cannot create folder (" + e.getMessage() + ")", e);
        }
        return target;
    }

    /** The folder a resumed run continues in ({@code --resume DIR}: the user names it as the run's own). */
    public static Path continueIn(Path dir) {
        TempFiles.cleanStale(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PocmergeException("--resume " + dir + ": cannot create folder (" + e.getMessage() + ")", e);
        }
        return dir;
    }

    /** A new or empty run folder (no {@code --overwrite}); made, and returned. */
    public static Path create(String command, Path out) {
        return open(command, out, false);
    }

    /** The folder {@link #create} would make, without making it (for outputs that appear atomically). */
    public static Path path(String command, Path out) {
        if (out != null) {
            if (out.toString().isBlank()) {
                throw new PocmergeException("--out: empty folder name; give a folder (default: runs/" + command
                        + "-<timestamp>)");
            }
            return out;
        }
        String ts = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
        return Paths.get("runs", command + "-" + ts);
    }

    /**
     * Checks {@code target} may be written: absent or empty (false), or non-empty with {@code overwrite} (true:
     * the caller replaces it). A file, or a non-empty folder without {@code overwrite}, is refused. Stale temps of
     * killed writers ({@link TempFiles}) are removed first, so they do not make a folder "not empty".
     */
    public static boolean refuseUnlessOverwrite(Path target, boolean overwrite) {
        Path abs = target.toAbsolutePath().normalize();
        if (abs.getParent() != null) {
            TempFiles.cleanStale(abs.getParent());
        }
        TempFiles.cleanStale(abs);
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new PocmergeException("--out " + target + ": exists and is not a folder; choose another path");
        }
        if (!Files.isDirectory(abs) || isEmpty(abs)) {
            return false;
        }
        if (!overwrite) {
            throw new PocmergeException("--out " + target + ": folder exists and is not empty (a previous run?);"
                    + " choose a new folder, or add --overwrite to replace it");
        }
        Path cwd = Paths.get("").toAbsolutePath().normalize();
        Path home = Paths.get(System.getProperty("user.home", "/")).toAbsolutePath().normalize();
        if (abs.getParent() == null || cwd.startsWith(abs) || home.startsWith(abs)) {
            throw new PocmergeException("--out " + target + ": --overwrite will not replace a folder that holds the"
                    + " current directory or the home folder; choose a folder of its own");
        }
        return true;
    }

    /** The run in {@code dir} is a result even though the command goes on to fail: delete the old folder now. */
    public static void keep(Path dir) {
        Path old = ASIDE.remove(dir.toAbsolutePath().normalize());
        if (old != null) {
            AtomicDirs.deleteTree(old);
        }
    }

    /**
     * Ends the {@code --overwrite} runs still open: on success the old folders are deleted; otherwise each new
     * folder is deleted and its old one renamed back.
     */
    public static void finish(boolean success) {
        for (Map.Entry<Path, Path> e : ASIDE.entrySet()) {
            if (!ASIDE.remove(e.getKey(), e.getValue())) {
                continue;
            }
            if (success) {
                AtomicDirs.deleteTree(e.getValue());
                continue;
            }
            AtomicDirs.deleteTree(e.getKey());
            try {
                Files.move(e.getValue(), e.getKey());
            } catch (IOException ex) {
                System.err.println("warning: could not put the previous " + e.getKey() + " back; it is in "
                        + e.getValue());
            }
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new PocmergeException("--out " + dir + ": cannot list folder (" + e.getMessage() + ")", e);
        }
    }
}
