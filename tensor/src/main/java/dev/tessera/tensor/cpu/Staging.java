package dev.tessera.tensor.cpu;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.HalfFloats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Converts a strided run of any dtype to and from a contiguous staging buffer: floats (for the F32,
 * BF16 and F16 kernels), doubles (F64) or longs (the integer types and BOOL). Conversions follow
 * {@link DType#write} and {@link DType#writeLong} exactly. Offsets and strides are in elements; the
 * dtype switch sits outside each loop.
 */
final class Staging {
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private Staging() {}

    /** Reads {@code n} elements from element {@code at}, {@code stride} apart, as floats into {@code dst[0..n)}. */
    static void toFloats(MemorySegment src, DType type, long at, long stride, int n, MemorySegment dst) {
        long w = type.byteSize();
        long p = at * w;
        long step = stride * w;
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst.setAtIndex(FLOAT, i, src.get(FLOAT, p));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst.setAtIndex(FLOAT, i, HalfFloats.bf16ToFloat(src.get(SHORT, p)));
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst.setAtIndex(FLOAT, i, Float.float16ToFloat(src.get(SHORT, p)));
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    dst.setAtIndex(FLOAT, i, (float) type.read(src, at + i * stride));
                }
            }
        }
    }

    /** Writes {@code src[0..n)} (floats) to element {@code at}, {@code stride} apart, converting as {@link DType#write}. */
    static void fromFloats(MemorySegment src, MemorySegment dst, DType type, long at, long stride, int n) {
        long w = type.byteSize();
        long p = at * w;
        long step = stride * w;
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst.set(FLOAT, p, src.getAtIndex(FLOAT, i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst.set(SHORT, p, HalfFloats.floatToBf16(src.getAtIndex(FLOAT, i)));
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst.set(SHORT, p, Float.floatToFloat16(src.getAtIndex(FLOAT, i)));
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    type.write(dst, at + i * stride, src.getAtIndex(FLOAT, i));
                }
            }
        }
    }

    /** Like {@link #toFloats(MemorySegment, DType, long, long, int, MemorySegment)}, into {@code dst[to .. to + n)} of a heap array. */
    static void toFloats(MemorySegment src, DType type, long at, long stride, int n, float[] dst, int to) {
        toFloats(src, type, at, stride, n, MemorySegment.ofArray(dst).asSlice(to * Float.BYTES));
    }

    /** Like {@link #fromFloats(MemorySegment, MemorySegment, DType, long, long, int)}, from {@code src[from .. from + n)} of a heap array. */
    static void fromFloats(float[] src, int from, MemorySegment dst, DType type, long at, long stride, int n) {
        fromFloats(MemorySegment.ofArray(src).asSlice(from * Float.BYTES), dst, type, at, stride, n);
    }

    /** Reads {@code n} elements as doubles (exact for every dtype but I64 beyond 2^53). */
    static void toDoubles(MemorySegment src, DType type, long at, long stride, int n, double[] dst) {
        long w = type.byteSize();
        long p = at * w;
        long step = stride * w;
        switch (type) {
            case F64 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst[i] = src.get(DOUBLE, p);
                }
            }
            case F32 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst[i] = src.get(FLOAT, p);
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    dst[i] = type.read(src, at + i * stride);
                }
            }
        }
    }

    /** Writes {@code n} doubles, converting as {@link DType#write}. */
    static void fromDoubles(double[] src, MemorySegment dst, DType type, long at, long stride, int n) {
        long w = type.byteSize();
        long p = at * w;
        long step = stride * w;
        switch (type) {
            case F64 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst.set(DOUBLE, p, src[i]);
                }
            }
            case F32 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst.set(FLOAT, p, (float) src[i]);
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    type.write(dst, at + i * stride, src[i]);
                }
            }
        }
    }

    /** Reads {@code n} elements as longs, as {@link DType#readLong} does (exact for integers and BOOL). */
    static void toLongs(MemorySegment src, DType type, long at, long stride, int n, long[] dst) {
        long w = type.byteSize();
        long p = at * w;
        long step = stride * w;
        switch (type) {
            case I64 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst[i] = src.get(LONG, p);
                }
            }
            case I32 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst[i] = src.get(INT, p);
                }
            }
            case BOOL -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst[i] = src.get(BYTE, p) != 0 ? 1 : 0;
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    dst[i] = type.readLong(src, at + i * stride);
                }
            }
        }
    }

    /** Writes {@code n} longs, converting as {@link DType#writeLong} (integers wrap, BOOL keeps non-zero). */
    static void fromLongs(long[] src, MemorySegment dst, DType type, long at, long stride, int n) {
        long w = type.byteSize();
        long p = at * w;
        long step = stride * w;
        switch (type) {
            case I64 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst.set(LONG, p, src[i]);
                }
            }
            case I32 -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst.set(INT, p, (int) src[i]);
                }
            }
            case BOOL -> {
                for (int i = 0; i < n; i++, p += step) {
                    dst.set(BYTE, p, (byte) (src[i] != 0 ? 1 : 0));
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    type.writeLong(dst, at + i * stride, src[i]);
                }
            }
        }
    }

    /** Copies {@code n} elements of {@code bytes} bytes each between two strided runs, no conversion. */
    static void copyElements(MemorySegment src, long at, long stride, MemorySegment dst, long to, long dstStride,
            long n, int bytes) {
        if (stride == 1 && dstStride == 1) {
            MemorySegment.copy(src, at * bytes, dst, to * bytes, n * bytes);
            return;
        }
        long p = at * bytes;
        long q = to * bytes;
        long step = stride * bytes;
        long dstStep = dstStride * bytes;
        switch (bytes) {
            case 1 -> {
                for (long i = 0; i < n; i++, p += step, q += dstStep) {
                    dst.set(BYTE, q, src.get(BYTE, p));
                }
            }
            case 2 -> {
                for (long i = 0; i < n; i++, p += step, q += dstStep) {
                    dst.set(SHORT, q, src.get(SHORT, p));
                }
            }
            case 4 -> {
                for (long i = 0; i < n; i++, p += step, q += dstStep) {
                    dst.set(INT, q, src.get(INT, p));
                }
            }
            default -> {
                for (long i = 0; i < n; i++, p += step, q += dstStep) {
                    dst.set(LONG, q, src.get(LONG, p));
                }
            }
        }
    }
}
