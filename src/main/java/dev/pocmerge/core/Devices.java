package dev.pocmerge.core;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Parses {@code --device auto|cpu|gpu[:k]} against what the engine actually sees. */
public final class Devices {
    private Devices() {}

    public static Device resolve(String spec) {
        Engine engine = Engines.pytorch();
        int gpus = engine.getGpuCount();
        String s = spec == null ? "auto" : spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("auto")) {
            return gpus > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("gpu") || s.equals("cuda") || s.startsWith("gpu:") || s.startsWith("cuda:")) {
            int k = 0;
            int colon = s.indexOf(':');
            if (colon >= 0) {
                try {
                    k = Integer.parseInt(s.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new PocmergeException("--device: '" + spec + "' is not gpu:<index>");
                }
            }
            if (gpus == 0) {
                throw new PocmergeException("--device " + spec + ": no GPU visible to the PyTorch engine"
                        + " (CPU natives in use); use --device cpu or auto");
            }
            if (k < 0 || k >= gpus) {
                throw new PocmergeException("--device " + spec + ": GPU index out of range, " + gpus + " GPU(s) visible");
            }
            return Device.gpu(k);
        }
        throw new PocmergeException("--device: '" + spec + "' is not one of auto, cpu, gpu, gpu:<k>");
    }

    /** Human-readable name: "cpu" or "gpu:0". */
    public static String describe(Device d) {
        return d.isGpu() ? "gpu:" + d.getDeviceId() : "cpu";
    }
}
