package dev.tessera.tests.ops;

import dev.tessera.tensor.DType;

/**
 * How far the cpu backend may be from the reference on one output element:
 *
 * <pre>
 * |got - want| <= atol + atolPerTerm * n + atolPerTermSquared * n^2 + (rtol + rtolPerTerm * n) * |want|
 *                  (+ n * unit * magnitude for sums)
 * </pre>
 *
 * where {@code n} is the number of terms the case combines into one output (a reduction's length,
 * matmul's k) and {@code magnitude} is the same op applied to |inputs| on the reference (for a
 * sum: sum |x|). A BF16 or F16 result may also differ by {@code lowPrecisionUlps} ulps of its
 * type, because the two backends round slightly different float values to it. Each op states
 * its tolerance, and why, in its {@code OpInfos*} entry.
 */
record Tolerance(double rtol, double atol, double rtolPerTerm, double atolPerTerm, double atolPerTermSquared,
        Summation summation, int lowPrecisionUlps) {
    /** The float32 machine epsilon, one ulp of 1.0f: the unit every tolerance is stated in. */
    static final double EPS = 0x1p-23;

    /** Whether, and in what precision, the op adds up terms. */
    enum Summation {
        NONE,
        /**
         * Accumulated in at least float32 and rounded once. Any order is within n eps sum|x| of the
         * exact sum; with small-integer inputs every partial sum is an integer far below 2^24
         * (at most 22,500 terms of |x| <= 16 here), so every order is exact.
         */
        AT_LEAST_F32,
        /**
         * Accumulated into the output, which may round to its own dtype after every addition (the
         * reference does, as PyTorch does for scatter_add): n ulps of that dtype times sum|x|;
         * exact for small integers while sum|x| stays below 2^(significand bits).
         */
        IN_OUTPUT_DTYPE
    }

    /** Bit-identical results: comparisons, copies, selections, and single correctly rounded IEEE operations. */
    static Tolerance exact() {
        return new Tolerance(0, 0, 0, 0, 0, Summation.NONE, 0);
    }

    /** A fixed relative error of {@code ulps} float32 ulps, plus an absolute floor for results near zero. */
    static Tolerance ulps(double ulps, double atol) {
        return new Tolerance(ulps * EPS, atol, 0, 0, 0, Summation.NONE, 1);
    }

    /** A sum of n terms (see {@link Summation}), plus one rounding of the result. */
    static Tolerance sumOfTerms(Summation summation) {
        return new Tolerance(EPS, 0, 0, 0, 0, summation, 1);
    }

    /** Errors that grow with the number of terms: {@code (rtol + rtolPerTerm n) |want| + atol + atolPerTerm n}. */
    static Tolerance growing(double rtol, double atol, double rtolPerTerm, double atolPerTerm) {
        return new Tolerance(rtol, atol, rtolPerTerm, atolPerTerm, 0, Summation.NONE, 1);
    }

    /** The same tolerance plus {@code perTermSquared * n^2}: for errors that enter squared, like the mean's in a variance. */
    Tolerance plusSquaredTerms(double perTermSquared) {
        return new Tolerance(rtol, atol, rtolPerTerm, atolPerTerm, perTermSquared, summation, lowPrecisionUlps);
    }

    /** The same tolerance allowing {@code ulps} ulps of a BF16/F16 result (ops made of several rounded steps). */
    Tolerance lowPrecisionUlps(int ulps) {
        return new Tolerance(rtol, atol, rtolPerTerm, atolPerTerm, atolPerTermSquared, summation, ulps);
    }

    boolean isExact() {
        return rtol == 0 && atol == 0 && rtolPerTerm == 0 && atolPerTerm == 0 && atolPerTermSquared == 0
                && summation == Summation.NONE;
    }

    boolean needsMagnitude() {
        return summation != Summation.NONE;
    }

    /** The largest |got - want| allowed for one element of an output of dtype {@code out}. */
    double allowed(double want, double magnitude, long terms, boolean integralInputs, DType out) {
        if (isExact() || (integralInputs && sumIsExact(magnitude, out))) {
            return 0;
        }
        double size = Math.abs(want);
        double bound = atol + atolPerTerm * terms + atolPerTermSquared * terms * terms + (rtol + rtolPerTerm * terms) * size;
        if (summation != Summation.NONE) {
            double unit = summation == Summation.IN_OUTPUT_DTYPE ? Math.max(EPS, lowPrecisionEps(out)) : EPS;
            bound += terms * unit * magnitude;
        }
        return bound + lowPrecisionUlps * (lowPrecisionEps(out) * size + lowPrecisionFloor(out));
    }

    private boolean sumIsExact(double magnitude, DType out) {
        return switch (summation) {
            case NONE -> false;
            case AT_LEAST_F32 -> true;
            case IN_OUTPUT_DTYPE -> magnitude < Math.scalb(1.0, significandBits(out));
        };
    }

    private static int significandBits(DType type) {
        return switch (type) {
            case BF16 -> 8;
            case F16 -> 11;
            case F64 -> 53;
            default -> 24;
        };
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
