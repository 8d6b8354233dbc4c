package dev.pocmerge.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * Converts a slice of little-endian file bytes to float32 (a {@code float[]}) or to the engine's float32/float16
 * layout (a direct buffer in native order). Works on blocks of {@link #BLOCK} elements pulled with bulk gets:
 * per-element gets on a mapped buffer are several times slower, and a 7B checkpoint is 13 GB of BF16.
 */
final class TensorCodec {
    static final int BLOCK = 1 << 16;

    private TensorCodec() {}

    /** Decodes all of {@code src} (little-endian, whole elements of {@code dt}) into {@code dst[off...]}. */
    static void toFloats(ByteBuffer src, Dtype dt, float[] dst, int off) {
        ByteBuffer b = src.slice().order(ByteOrder.LITTLE_ENDIAN);
        int n = b.remaining() / dt.bytes;
        switch (dt) {
            case F32 -> b.asFloatBuffer().get(dst, off, n);
            case F16, BF16, I16 -> {
                ShortBuffer sb = b.asShortBuffer();
                short[] tmp = new short[Math.min(n, BLOCK)];
                for (int i = 0; i < n; i += tmp.length) {
                    int k = Math.min(tmp.length, n - i);
                    sb.get(tmp, 0, k);
                    int o = off + i;
                    if (dt == Dtype.BF16) {
                        for (int j = 0; j < k; j++) {
                            dst[o + j] = Halfs.bf16ToFloat(tmp[j]);
                        }
                    } else if (dt == Dtype.F16) {
                        for (int j = 0; j < k; j++) {
                            dst[o + j] = Halfs.f16ToFloat(tmp[j]);
                        }
                    } else {
                        for (int j = 0; j < k; j++) {
                            dst[o + j] = tmp[j];
                        }
                    }
                }
            }
            case F64 -> {
                DoubleBuffer db = b.asDoubleBuffer();
                for (int i = 0; i < n; i++) {
                    dst[off + i] = (float) db.get(i);
                }
            }
            case I64 -> {
                LongBuffer lb = b.asLongBuffer();
                for (int i = 0; i < n; i++) {
                    dst[off + i] = lb.get(i);
                }
            }
            case I32 -> {
                IntBuffer ib = b.asIntBuffer();
                for (int i = 0; i < n; i++) {
                    dst[off + i] = ib.get(i);
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    dst[off + i] = b.get(i);
                }
            }
            case U8 -> {
                for (int i = 0; i < n; i++) {
                    dst[off + i] = b.get(i) & 0xff;
                }
            }
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    dst[off + i] = b.get(i) != 0 ? 1f : 0f;
                }
            }
            default -> throw new IllegalArgumentException("no float conversion for " + dt);
        }
    }

    /** Appends all of {@code src} to {@code dst} (a native-order buffer) as float32 values. */
    static void appendFloat32(ByteBuffer src, Dtype dt, ByteBuffer dst) {
        ByteBuffer b = src.slice().order(ByteOrder.LITTLE_ENDIAN);
        int n = b.remaining() / dt.bytes;
        FloatBuffer out = dst.slice().order(dst.order()).asFloatBuffer();
        if (dt == Dtype.F32) {
            out.put(b.asFloatBuffer()); // a plain copy when native order is little-endian
        } else {
            float[] tmp = new float[Math.min(n, BLOCK)];
            for (int i = 0; i < n; i += tmp.length) {
                int k = Math.min(tmp.length, n - i);
                toFloats(b.slice(i * dt.bytes, k * dt.bytes), dt, tmp, 0);
                out.put(tmp, 0, k);
            }
        }
        dst.position(dst.position() + n * 4);
    }

    /** Appends all of {@code src} to {@code dst} (a native-order buffer) as IEEE half values, rounding to nearest even. */
    static void appendFloat16(ByteBuffer src, Dtype dt, ByteBuffer dst) {
        ByteBuffer b = src.slice().order(ByteOrder.LITTLE_ENDIAN);
        int n = b.remaining() / dt.bytes;
        ShortBuffer out = dst.slice().order(dst.order()).asShortBuffer();
        if (dt == Dtype.F16) {
            out.put(b.asShortBuffer());
        } else {
            float[] tmp = new float[Math.min(n, BLOCK)];
            short[] half = new short[tmp.length];
            for (int i = 0; i < n; i += tmp.length) {
                int k = Math.min(tmp.length, n - i);
                toFloats(b.slice(i * dt.bytes, k * dt.bytes), dt, tmp, 0);
                for (int j = 0; j < k; j++) {
                    half[j] = Halfs.floatToF16(tmp[j]);
                }
                out.put(half, 0, k);
            }
        }
        dst.position(dst.position() + n * 2);
    }
}
