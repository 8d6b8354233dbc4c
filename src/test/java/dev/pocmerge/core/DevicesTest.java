package dev.pocmerge.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DevicesTest {
    @Test
    void autoPicksWhatTheEngineSees() {
        Device d = Devices.resolve("auto");
        int gpus = Engines.pytorch().getGpuCount();
        assertEquals(gpus > 0, d.isGpu());
        assertEquals(Device.cpu(), Devices.resolve("cpu"));
    }

    @Test
    void gpuWithoutGpuIsAUserError() {
        assumeTrue(Engines.pytorch().getGpuCount() == 0, "only meaningful on a CPU-only machine");
        PocmergeException e = assertThrows(PocmergeException.class, () -> Devices.resolve("gpu"));
        assertTrue(e.getMessage().contains("no GPU"), e.getMessage());
    }

    /** Malformed specs and indices past the last GPU are user errors on any machine. */
    @Test
    void badDeviceSpecsAreUserErrorsEverywhere() {
        assertThrows(PocmergeException.class, () -> Devices.resolve("gpu:x"));
        assertThrows(PocmergeException.class, () -> Devices.resolve("tpu"));
        PocmergeException e = assertThrows(PocmergeException.class, () -> Devices.resolve("gpu:4096"));
        assertTrue(e.getMessage().startsWith("--device gpu:4096"), e.getMessage());
    }

    /**
     * With stream −1 the premix is seed·γ (γ = 0x9E3779B97F4A7C15), so {@code derive(k, −1)} is the k-th output
     * of Vigna's reference SplitMix64 started from state 0 (values from splitmix64.c, not from our code).
     */
    @Test
    void deriveIsTheSplitMix64Finaliser() {
        assertEquals(0xe220a8397b1dcdafL, Seeds.derive(1, -1));
        assertEquals(0x6e789e6aa1b965f4L, Seeds.derive(2, -1));
        assertEquals(0x06c45d188009454fL, Seeds.derive(3, -1));
    }

    /** Golden values of the documented formula, computed independently in Python (arbitrary precision, mod 2⁶⁴). */
    @Test
    void deriveGoldenValues() {
        assertEquals(0xf2fea5823ed3a667L, Seeds.derive(0, 0));
        assertEquals(0x2a3d0f6b368caa96L, Seeds.derive(0, 1));
        assertEquals(0xe4bacea5c4b9b499L, Seeds.derive(1, 0));
        assertEquals(0xf81fb90aeca2accdL, Seeds.derive(7, 3));
        assertEquals(0xd02dddf0f67d6c2aL, Seeds.derive(42, 0x5EEDBA7CL));
        assertEquals(0x1637b2d62b2c57e7L, Seeds.derive(-1, 5));
        assertEquals(1822600397, Seeds.deriveInt(7, 3), "low 31 bits");
        assertEquals(724326375, Seeds.deriveInt(-1, 5));
    }

    /** Members and seeds never share a stream on a grid, and a call does not depend on earlier calls. */
    @Test
    void seedsAreDistinctPerMemberAndSeed() {
        Set<Long> seen = new HashSet<>();
        for (long seed = 0; seed < 64; seed++) {
            for (long m = 0; m < 64; m++) {
                assertTrue(seen.add(Seeds.derive(seed, m)), "collision at seed " + seed + ", member " + m);
            }
        }
        long first = Seeds.derive(7, 3);
        Seeds.derive(8, 3);
        assertEquals(first, Seeds.derive(7, 3));
        for (long m = 0; m < 1000; m++) {
            int s = Seeds.deriveInt(123, m);
            assertTrue(s >= 0 && s == (int) (Seeds.derive(123, m) & 0x7FFFFFFFL), "deriveInt " + m);
        }
    }

    /** Neighbouring members get unrelated seeds: about half of the 64 bits differ on average. */
    @Test
    void neighbouringMembersDifferInAboutHalfTheBits() {
        long total = 0;
        int pairs = 4096;
        for (int m = 0; m < pairs; m++) {
            total += Long.bitCount(Seeds.derive(5, m) ^ Seeds.derive(5, m + 1));
        }
        double mean = (double) total / pairs; // Binomial(64, ½) per pair: mean 32, sd of the mean 4/64
        assertTrue(Math.abs(mean - 32) < 0.5, "mean differing bits " + mean);
    }
}
