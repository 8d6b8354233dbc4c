package dev.pocmerge.io;

/**
 * Bit-exact conversions between float32 and the two 16-bit float formats in checkpoints. Java 17 has no
 * {@code Float.float16ToFloat}, and BF16 must be converted in Java because it may never reach the engine.
 * Float-to-half rounds to nearest, ties to even, as torch's {@code .to(dtype)} does.
 */
public final class Halfs {
    private Halfs() {}

    /** BF16 is the upper half of a float32, so widening is exact. */
    public static float bf16ToFloat(short h) {
        return Float.intBitsToFloat((h & 0xffff) << 16);
    }

    /** Rounds to nearest even; NaN stays NaN (a quiet bit is forced so truncating the payload cannot make inf). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        // Adding 0x7fff plus the lowest kept bit rounds half to even; a carry into the exponent is correct
        // (it rounds up to the next binade, or to inf past the largest finite bf16).
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    public static float f16ToFloat(short h) {
        int v = h & 0xffff;
        int sign = (v & 0x8000) << 16;
        int exp = (v >>> 10) & 0x1f;
        int mant = v & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // Subnormal (or zero): mant · 2⁻²⁴ is exact in float32.
            float mag = mant * 0x1p-24f;
            return sign != 0 ? -mag : mag;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Rounds to nearest even; |x| ≥ 65520 (halfway past the largest half, 65504) becomes inf; keeps subnormals. */
    public static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {
            // inf stays inf; NaN keeps its top payload bits and is forced quiet so it cannot collapse to inf.
            return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 | ((abs >>> 13) & 0x3ff) : 0));
        }
        if (abs >= 0x477ff000) {
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) {
            // Below the smallest normal half (2⁻¹⁴): count units of 2⁻²⁴. Scaling by 2²⁴ is exact and rint is
            // ties-to-even; a result of 1024 is exactly the smallest normal's encoding.
            int units = (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24f);
            return (short) (sign | units);
        }
        int h = ((((abs >>> 23) - 112) << 10) | ((abs >>> 13) & 0x3ff));
        int rest = abs & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (h & 1) == 1)) {
            h++; // a mantissa carry correctly bumps the exponent
        }
        return (short) (sign | h);
    }
}
