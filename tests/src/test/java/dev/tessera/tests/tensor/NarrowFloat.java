package dev.tessera.tests.tensor;

/**
 * IEEE 754 binary formats narrower than float (bfloat16, binary16), decoded and rounded straight
 * from the definition, with none of the bit tricks a fast converter uses: a value is the nearest
 * representable magnitude, found by search over the (monotonic) bit patterns, ties to the
 * pattern with an even last bit, and overflow to infinity past the largest finite value plus
 * half an ulp.
 */
enum NarrowFloat {
    BF16(8, 7),
    F16(5, 10);

    private final int mantissaBits;
    private final int bias;
    private final int infinity;
    private final int signBit;

    NarrowFloat(int exponentBits, int mantissaBits) {
        this.mantissaBits = mantissaBits;
        this.bias = (1 << (exponentBits - 1)) - 1;
        this.infinity = ((1 << exponentBits) - 1) << mantissaBits;
        this.signBit = 1 << (exponentBits + mantissaBits);
    }

    /**
     * The magnitude of a non-negative pattern up to {@link #infinity}, which decodes as the next
     * power of two, where it would lie if the exponent range went on: that makes the overflow
     * rule an ordinary rounding decision.
     */
    private double magnitude(int pattern) {
        int exponent = pattern >>> mantissaBits;
        int mantissa = pattern & ((1 << mantissaBits) - 1);
        if (exponent == 0) {
            return Math.scalb((double) mantissa, 1 - bias - mantissaBits); // subnormal: no implicit 1
        }
        return Math.scalb((double) ((1 << mantissaBits) + mantissa), exponent - bias - mantissaBits);
    }

    /** The value of a pattern (any of the 2^16), as a double; NaN for the NaN patterns. */
    double decode(short bits) {
        int pattern = bits & (signBit - 1);
        double sign = (bits & signBit) != 0 ? -1 : 1;
        if (pattern > infinity) {
            return Double.NaN;
        }
        return sign * (pattern == infinity ? Double.POSITIVE_INFINITY : magnitude(pattern));
    }

    /** {@code x} rounded to nearest, ties to even; x must not be NaN. */
    short round(float x) {
        if (Float.isNaN(x)) {
            throw new IllegalArgumentException("NaN has no nearest value");
        }
        int sign = Float.floatToRawIntBits(x) < 0 ? signBit : 0;
        double a = Math.abs((double) x);
        if (a >= magnitude(infinity)) {
            return (short) (sign | infinity);
        }
        int below = 0; // the largest pattern whose magnitude is <= a
        int high = infinity - 1;
        while (below < high) {
            int mid = (below + high + 1) >>> 1;
            if (magnitude(mid) <= a) {
                below = mid;
            } else {
                high = mid - 1;
            }
        }
        double down = a - magnitude(below);
        double up = magnitude(below + 1) - a;
        int nearest = down < up ? below : up < down ? below + 1 : (below % 2 == 0 ? below : below + 1);
        return (short) (sign | nearest);
    }
}
