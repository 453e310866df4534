package dev.tessera.tests.ops;

import dev.tessera.tensor.DType;

/**
 * How far the cpu backend may be from the reference on one output element:
 *
 * <pre>
 * |got - want| <= atol + atolPerTerm * n + (rtol + rtolPerTerm * n) * |want| + magnitudePerTerm * n * magnitude
 * </pre>
 *
 * where {@code n} is the number of terms the case combines into one output (a reduction's length,
 * matmul's k) and {@code magnitude} is the same op applied to |inputs| on the reference (for a
 * sum: sum |x|). A BF16 or F16 result may also differ by {@code lowPrecisionUlps} ulps of its
 * type, because the two backends round slightly different float values to it. When the inputs
 * are small integers and {@code exactOnIntegers} holds, every summation order is exact in float,
 * so nothing may differ. Each op states its tolerance, and why, in its {@code OpInfos*} entry.
 */
record Tolerance(double rtol, double atol, double rtolPerTerm, double atolPerTerm, double magnitudePerTerm,
        int lowPrecisionUlps, boolean exactOnIntegers) {
    /** The float32 machine epsilon, one ulp of 1.0f: the unit every tolerance is stated in. */
    static final double EPS = 0x1p-23;

    /** Bit-identical results: comparisons, copies, selections, and single correctly rounded IEEE operations. */
    static Tolerance exact() {
        return new Tolerance(0, 0, 0, 0, 0, 0, false);
    }

    /** A fixed relative error of {@code ulps} float32 ulps, plus an absolute floor for results near zero. */
    static Tolerance ulps(double ulps, double atol) {
        return new Tolerance(ulps * EPS, atol, 0, 0, 0, 1, false);
    }

    /**
     * A sum of n terms: any summation order is within {@code n * EPS * sum|terms|} of the exact
     * sum, plus one rounding of the result; exact for small-integer inputs.
     */
    static Tolerance sumOfTerms() {
        return new Tolerance(EPS, 0, 0, 0, EPS, 1, true);
    }

    /** Errors that grow with the number of terms: {@code (rtol + rtolPerTerm n) |want| + atol + atolPerTerm n}. */
    static Tolerance growing(double rtol, double atol, double rtolPerTerm, double atolPerTerm) {
        return new Tolerance(rtol, atol, rtolPerTerm, atolPerTerm, 0, 1, false);
    }

    /** The same tolerance allowing {@code ulps} ulps of a BF16/F16 result (ops made of several rounded steps). */
    Tolerance lowPrecisionUlps(int ulps) {
        return new Tolerance(rtol, atol, rtolPerTerm, atolPerTerm, magnitudePerTerm, ulps, exactOnIntegers);
    }

    boolean isExact() {
        return rtol == 0 && atol == 0 && rtolPerTerm == 0 && atolPerTerm == 0 && magnitudePerTerm == 0;
    }

    boolean needsMagnitude() {
        return magnitudePerTerm > 0;
    }

    /** The largest |got - want| allowed for one element of an output of dtype {@code out}. */
    double allowed(double want, double magnitude, long terms, boolean integralInputs, DType out) {
        if (isExact() || (exactOnIntegers && integralInputs)) {
            return 0;
        }
        double size = Math.abs(want);
        double bound = atol + atolPerTerm * terms + (rtol + rtolPerTerm * terms) * size
                + magnitudePerTerm * terms * magnitude;
        return bound + lowPrecisionUlps * (lowPrecisionEps(out) * size + lowPrecisionFloor(out));
    }

    /** The spacing of the type's values relative to their size (0 for F32/F64, whose error the terms above state). */
    private static double lowPrecisionEps(DType type) {
        return switch (type) {
            case BF16 -> 0x1p-7;
            case F16 -> 0x1p-10;
            default -> 0;
        };
    }

    /** F16's subnormal spacing: below 2^-14 an F16 ulp is 2^-24 however small the value. */
    private static double lowPrecisionFloor(DType type) {
        return type == DType.F16 ? 0x1p-24 : 0;
    }
}
