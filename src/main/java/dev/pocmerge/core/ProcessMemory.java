package dev.pocmerge.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory and page faults from Linux's /proc (benchmarks and memory tests). The peak
 * (VmHWM) covers the whole process life, libtorch's native allocations included, which the JVM's own memory
 * beans do not see; {@link #resetPeak} restarts it from the current RSS (Linux ≥ 4.0).
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /** Whether /proc/self/status is readable (Linux). */
    public static boolean available() {
        return Files.isReadable(STATUS);
    }

    /** Current resident set size in bytes. */
    public static long rss() {
        return statusKb("VmRSS") * 1024;
    }

    /** Peak resident set size in bytes since the start or the last {@link #resetPeak}. */
    public static long peakRss() {
        return statusKb("VmHWM") * 1024;
    }

    /** Sets the peak back to the current RSS; false where the kernel does not allow it. */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Minor page faults of this process so far (field 10 of /proc/self/stat). */
    public static long minorFaults() {
        try {
            String s = Files.readString(Path.of("/proc/self/stat"));
            // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(f[7]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + STATUS + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException(STATUS + " has no " + key + " line");
    }
}
