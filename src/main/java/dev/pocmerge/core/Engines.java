package dev.pocmerge.core;

import ai.djl.engine.Engine;

/**
 * Starts DJL's PyTorch engine offline. Must run before the first {@code Engine.getInstance()}: with these flags
 * nothing is downloaded and no tracking probe is sent.
 */
public final class Engines {
    private static volatile Engine engine;

    private Engines() {}

    /** Sets the offline flags (idempotent) and returns the PyTorch engine. */
    public static synchronized Engine pytorch() {
        if (engine == null) {
            setOfflineFlags();
            try {
                engine = Engine.getEngine("PyTorch");
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                throw new PocmergeException("cannot start the PyTorch engine (libtorch natives): " + e.getMessage()
                        + " — on CPU build with the default 'cpu' Maven profile; on GPU set PYTORCH_LIBRARY_PATH"
                        + " (see README, GPU)", e);
            }
        }
        return engine;
    }

    public static void setOfflineFlags() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("ai.djl.pytorch.graph_optimizer", "false");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
