package dev.pocmerge.core;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Refuses a run whose tensors cannot fit, from the sizes alone, before anything is allocated or written: an
 * allocation past the machine's memory ends in the OOM killer or a native abort, not in an error a user can read.
 * The limit is the memory available now: the GPU's free memory, or Linux's MemAvailable on the CPU.
 */
public final class MemoryBudget {
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private MemoryBudget() {}

    /** Bytes that {@code device} can still hold; Long.MAX_VALUE when it cannot be told. */
    public static long available(Device device) {
        if (device != null && device.isGpu()) {
            try {
                MemoryUsage u = CudaUtils.getGpuMemory(device);
                return u.getMax() - u.getCommitted();
            } catch (RuntimeException | LinkageError e) {
                return Long.MAX_VALUE;
            }
        }
        long kb = memAvailableKb();
        return kb > 0 ? kb * 1024 : Long.MAX_VALUE;
    }

    /**
     * Throws when {@code bytes} (a saturating estimate: pass Long.MAX_VALUE on overflow) exceeds what {@code device}
     * has; {@code what} names the flags that set the size, e.g. "--M 100 × --N 100000".
     */
    public static void require(Device device, long bytes, String what, String fix) {
        long have = available(device);
        if (bytes > have) {
            throw new PocmergeException(what + " needs about " + format(bytes) + ", more than the " + format(have)
                    + " of memory available " + (device != null && device.isGpu() ? "on " + device : "now") + "; " + fix);
        }
    }

    /** a·b·… with saturation at Long.MAX_VALUE instead of overflow (sizes from user numbers). */
    public static long times(long... factors) {
        long p = 1;
        for (long f : factors) {
            if (f < 0) {
                throw new IllegalArgumentException("negative size factor " + f);
            }
            if (f != 0 && p > Long.MAX_VALUE / f) {
                return Long.MAX_VALUE;
            }
            p *= f;
        }
        return p;
    }

    /** a + b with saturation. */
    public static long plus(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /** 1.5 GiB, 12 MiB, 340 TiB, or "more than 8 EiB" for a saturated estimate. */
    public static String format(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "more than 8 EiB";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    private static long memAvailableKb() {
        try {
            for (String line : Files.readAllLines(MEMINFO)) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.substring("MemAvailable:".length()).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
