package dev.pocmerge.core;

/**
 * Seed derivation. Member m of an ensemble draws from {@code derive(seed, m)}, so results are reproducible and
 * members independent; streams for other purposes use distinct salts.
 */
public final class Seeds {
    private Seeds() {}

    /** SplitMix64 finaliser of (seed, stream). */
    public static long derive(long seed, long stream) {
        long z = seed * 0x9E3779B97F4A7C15L + (stream + 1) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A derived seed that fits DJL's int seed. */
    public static int deriveInt(long seed, long stream) {
        return (int) (derive(seed, stream) & 0x7FFFFFFFL);
    }
}
