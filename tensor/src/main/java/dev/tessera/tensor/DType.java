package dev.tessera.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The element types a tensor can hold. F32 is the compute type; F64 serves the reference path
 * and gradient checks; BF16 and F16 are storage types (converted with round-to-nearest-even);
 * I32 and I64 hold indices; BOOL holds masks (one byte, 0 or 1).
 *
 * <p>{@link #read} and {@link #write} access one element of a segment as a double. They are the
 * slow, obvious path that the reference backend and the general strided loops use.
 */
public enum DType {
    F32(4, true, "float32"),
    F64(8, true, "float64"),
    BF16(2, true, "bfloat16"),
    F16(2, true, "float16"),
    I32(4, false, "int32"),
    I64(8, false, "int64"),
    BOOL(1, false, "bool");

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final int byteSize;
    private final boolean floating;
    private final String numpyName;

    DType(int byteSize, boolean floating, String numpyName) {
        this.byteSize = byteSize;
        this.floating = floating;
        this.numpyName = numpyName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for F32, F64, BF16 and F16. */
    public boolean isFloating() {
        return floating;
    }

    /** True for I32 and I64. */
    public boolean isInteger() {
        return this == I32 || this == I64;
    }

    /** The name NumPy and PyTorch print for this type, e.g. {@code float32}. */
    public String numpyName() {
        return numpyName;
    }

    /** Reads element {@code index} (counted in elements, not bytes) as a double. */
    public double read(MemorySegment segment, long index) {
        long at = index * byteSize;
        return switch (this) {
            case F32 -> segment.get(FLOAT, at);
            case F64 -> segment.get(DOUBLE, at);
            case BF16 -> HalfFloats.bf16ToFloat(segment.get(SHORT, at));
            case F16 -> Float.float16ToFloat(segment.get(SHORT, at));
            case I32 -> segment.get(INT, at);
            case I64 -> segment.get(LONG, at);
            case BOOL -> segment.get(ValueLayout.JAVA_BYTE, at) != 0 ? 1.0 : 0.0;
        };
    }

    /** Reads element {@code index} as a long; exact for the integer types and BOOL. */
    public long readLong(MemorySegment segment, long index) {
        long at = index * byteSize;
        return switch (this) {
            case I32 -> segment.get(INT, at);
            case I64 -> segment.get(LONG, at);
            case BOOL -> segment.get(ValueLayout.JAVA_BYTE, at) != 0 ? 1 : 0;
            default -> (long) read(segment, index);
        };
    }

    /**
     * Writes {@code value} to element {@code index}, converting as a cast does: floats round to
     * nearest even (F64 to BF16/F16 goes through F32, as PyTorch does), integers truncate toward
     * zero (NaN becomes 0, out-of-range values saturate to the type's range, as Java's casts do),
     * BOOL stores whether the value is non-zero.
     */
    public void write(MemorySegment segment, long index, double value) {
        long at = index * byteSize;
        switch (this) {
            case F32 -> segment.set(FLOAT, at, (float) value);
            case F64 -> segment.set(DOUBLE, at, value);
            case BF16 -> segment.set(SHORT, at, HalfFloats.floatToBf16((float) value));
            case F16 -> segment.set(SHORT, at, Float.floatToFloat16((float) value));
            case I32 -> segment.set(INT, at, (int) value);
            case I64 -> segment.set(LONG, at, (long) value);
            case BOOL -> segment.set(ValueLayout.JAVA_BYTE, at, (byte) (value != 0 ? 1 : 0));
        }
    }

    /**
     * Writes an integer value: exactly for I64 (beyond 2^53 too), wrapping to 32 bits for I32, and
     * rounded once for the float types (a detour through double would round twice).
     */
    public void writeLong(MemorySegment segment, long index, long value) {
        long at = index * byteSize;
        switch (this) {
            case I32 -> segment.set(INT, at, (int) value);
            case I64 -> segment.set(LONG, at, value);
            case F32 -> segment.set(FLOAT, at, (float) value);
            case BF16 -> segment.set(SHORT, at, HalfFloats.floatToBf16((float) value));
            case F16 -> segment.set(SHORT, at, Float.floatToFloat16((float) value));
            default -> write(segment, index, value);
        }
    }
}
