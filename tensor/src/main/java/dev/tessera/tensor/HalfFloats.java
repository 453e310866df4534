package dev.tessera.tensor;

/**
 * Conversions between float and bfloat16 bit patterns. (float16 uses the JDK's own
 * {@link Float#floatToFloat16} and {@link Float#float16ToFloat}, which round to nearest even.)
 */
public final class HalfFloats {
    private HalfFloats() {}

    /** The float whose top 16 bits are {@code bits}: exact, every bfloat16 is a float. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Rounds a float to bfloat16, to nearest with ties to even. NaN stays NaN (a quiet NaN with
     * the sign kept); values beyond the largest bfloat16 round to infinity.
     */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        int rounded = bits + 0x7FFF + lsb;
        return (short) (rounded >>> 16);
    }
}
