package dev.pocmerge.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HalfsTest {
    private static int f16(float f) {
        return Halfs.floatToF16(f) & 0xffff;
    }

    private static int bf16(float f) {
        return Halfs.floatToBf16(f) & 0xffff;
    }

    @Test
    void f16KnownPatterns() {
        assertEquals(0x3C00, f16(1f));
        assertEquals(0xC000, f16(-2f));
        assertEquals(0x7BFF, f16(65504f));
        assertEquals(0x0001, f16(0x1p-24f)); // smallest subnormal
        assertEquals(0x03FF, f16(1023 * 0x1p-24f)); // largest subnormal
        assertEquals(0x0400, f16(0x1p-14f)); // smallest normal
        assertEquals(0x7C00, f16(Float.POSITIVE_INFINITY));
        assertEquals(0xFC00, f16(Float.NEGATIVE_INFINITY));
        assertEquals(0x8000, f16(-0f));
        assertEquals(0x3555, f16(1f / 3)); // 0.333251953125, the nearest half
        int nan = f16(Float.NaN);
        assertEquals(0x7C00, nan & 0x7C00);
        assertTrue((nan & 0x3FF) != 0, "NaN must stay NaN, got " + Integer.toHexString(nan));

        assertEquals(1f, Halfs.f16ToFloat((short) 0x3C00));
        assertEquals(-2f, Halfs.f16ToFloat((short) 0xC000));
        assertEquals(65504f, Halfs.f16ToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, Halfs.f16ToFloat((short) 0x0001));
        assertEquals(1023 * 0x1p-24f, Halfs.f16ToFloat((short) 0x03FF));
        assertEquals(0x1p-14f, Halfs.f16ToFloat((short) 0x0400));
        assertEquals(Float.POSITIVE_INFINITY, Halfs.f16ToFloat((short) 0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, Halfs.f16ToFloat((short) 0xFC00));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Halfs.f16ToFloat((short) 0x8000)));
        assertTrue(Float.isNaN(Halfs.f16ToFloat((short) 0x7E00)));
        assertTrue(Float.isNaN(Halfs.f16ToFloat((short) 0x7C01)));
    }

    @Test
    void f16RoundsToNearestEvenAndOverflowsToInf() {
        assertEquals(0x3C00, f16(1f + 0x1p-11f)); // tie between 0x3C00 (even) and 0x3C01
        assertEquals(0x3C02, f16(1f + 3 * 0x1p-11f)); // tie between 0x3C01 and 0x3C02 (even)
        assertEquals(0x3C01, f16(1f + 0x1p-11f + 0x1p-20f)); // just past the tie
        assertEquals(0x7BFF, f16(65519f)); // below the halfway point to 65536
        assertEquals(0x7C00, f16(65520f)); // tie, even side is 2^16 = inf
        assertEquals(0xFC00, f16(-1e6f));
        assertEquals(0x0000, f16(0x1p-25f)); // tie between 0 (even) and the smallest subnormal
        assertEquals(0x0001, f16(0x1p-25f * 1.0001f));
        assertEquals(0x0002, f16(3 * 0x1p-25f)); // tie between 1 and 2 units
        assertEquals(0x0400, f16(1023.5f * 0x1p-24f)); // tie from the largest subnormal up to the smallest normal
        assertEquals(0x0000, f16(1e-10f));
    }

    @Test
    void bf16KnownPatterns() {
        assertEquals(0x3F80, bf16(1f));
        assertEquals(0xC000, bf16(-2f));
        assertEquals(0x4780, bf16(65504f)); // 65504 is not a bf16 value: rounds up to 65536
        assertEquals(0x477F, bf16(65280f));
        assertEquals(0x0001, bf16(0x1p-133f)); // smallest bf16 subnormal
        assertEquals(0x7F80, bf16(Float.POSITIVE_INFINITY));
        assertEquals(0xFF80, bf16(Float.NEGATIVE_INFINITY));
        assertEquals(0x7F80, bf16(Float.MAX_VALUE)); // rounds past the largest bf16
        assertEquals(0x3F80, bf16(1f + 0x1p-8f)); // tie, even side
        assertEquals(0x3F82, bf16(1f + 3 * 0x1p-8f)); // tie, even side is up
        assertEquals(0x3F81, bf16(1f + 0x1p-8f + 0x1p-20f));
        // A NaN whose payload lives only in the low 16 bits must not truncate to inf.
        int nan = bf16(Float.intBitsToFloat(0x7F800001));
        assertTrue((nan & 0x7F80) == 0x7F80 && (nan & 0x7F) != 0, Integer.toHexString(nan));

        assertEquals(1f, Halfs.bf16ToFloat((short) 0x3F80));
        assertEquals(-2f, Halfs.bf16ToFloat((short) 0xC000));
        assertEquals(0x1p-133f, Halfs.bf16ToFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, Halfs.bf16ToFloat((short) 0x7F80));
        assertTrue(Float.isNaN(Halfs.bf16ToFloat((short) 0x7FC0)));
    }

    @Test
    void everyHalfPatternRoundTrips() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Halfs.f16ToFloat((short) h);
            float b = Halfs.bf16ToFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals(h, f16(f), "f16 0x" + Integer.toHexString(h));
            }
            if (!Float.isNaN(b)) {
                assertEquals(h, bf16(b), "bf16 0x" + Integer.toHexString(h));
            }
        }
    }

    /** Against the definition: the chosen half is at least as close as its neighbours, and even on a tie. */
    @Test
    void randomFloatsRoundToTheNearestHalf() {
        Random rnd = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            float x = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isNaN(x) || Math.abs(x) >= 65520f) {
                continue;
            }
            checkNearest(x, f16(x), true);
            checkNearest(x, bf16(x), false);
        }
    }

    private static void checkNearest(float x, int h, boolean isF16) {
        double chosen = isF16 ? Halfs.f16ToFloat((short) h) : Halfs.bf16ToFloat((short) h);
        double err = Math.abs((double) x - chosen);
        for (int d : new int[] {-1, 1}) {
            int n = h + d;
            if ((n & 0x7fff) == 0x7fff || (n ^ h) < 0 || ((n ^ h) & 0x8000) != 0) {
                continue; // neighbour would cross the sign bit or wrap
            }
            double other = isF16 ? Halfs.f16ToFloat((short) n) : Halfs.bf16ToFloat((short) n);
            if (Double.isInfinite(other) || Double.isNaN(other)) {
                continue;
            }
            double e2 = Math.abs((double) x - other);
            assertTrue(err <= e2, x + " -> 0x" + Integer.toHexString(h) + " but 0x" + Integer.toHexString(n)
                    + " is closer");
            if (err == e2) {
                assertEquals(0, h & 1, "tie at " + x + " must go to the even pattern");
            }
        }
    }
}
