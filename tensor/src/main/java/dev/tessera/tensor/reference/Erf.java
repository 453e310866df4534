package dev.tessera.tensor.reference;

/**
 * The error function and its complement in double precision, for GELU (Java has no erf).
 *
 * <p>Below {@link #SWITCH} we sum the series {@code erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1)
 * / (1*3*...*(2n+1))}, whose terms are all of one sign, so nothing cancels. From {@code SWITCH} up
 * we evaluate Laplace's continued fraction {@code erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x +
 * (2/2)/(x + (3/2)/(x + ...))))} bottom-up from a fixed depth; at x = 1 it has converged to
 * double precision by depth 200 (checked against 40-digit values), and it converges faster for
 * larger x. Against 40-digit values at 2,200 points in [-27, 27] the error of erf was at most
 * 3 ulps, and that of erfc at most 3 ulps from 1 up (its tail included) and 14 ulps below 1, where it
 * is computed as 1 - erf.
 */
final class Erf {
    private Erf() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;
    private static final double SWITCH = 1.0;
    private static final int FRACTION_DEPTH = 250;

    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a < SWITCH) {
            return series(x);
        }
        double r = 1 - erfcFraction(a);
        return x < 0 ? -r : r;
    }

    /** {@code 1 - erf(x)}, accurate in relative terms for large x where it is tiny. */
    static double erfc(double x) {
        if (x < SWITCH) {
            return 1 - erf(x); // for x below SWITCH erf(x) < 0.85, so little cancels
        }
        return erfcFraction(x);
    }

    private static double series(double x) {
        double twoXSquared = 2 * x * x;
        double sum = x; // the n = 0 term; starting from it keeps erf(-0.0) = -0.0
        double term = x;
        for (int n = 1; ; n++) {
            term *= twoXSquared / (2 * n + 1);
            if (sum + term == sum) {
                break;
            }
            sum += term;
        }
        return TWO_OVER_SQRT_PI * expMinusSquare(x) * sum;
    }

    private static double erfcFraction(double x) {
        if (x == Double.POSITIVE_INFINITY) {
            return 0;
        }
        double tail = x;
        for (int k = FRACTION_DEPTH; k >= 1; k--) {
            tail = x + (k / 2.0) / tail;
        }
        return ONE_OVER_SQRT_PI * expMinusSquare(x) / tail;
    }

    /**
     * {@code e^(-x^2)} without the error of rounding x^2 first: for x near 27 that rounding alone
     * would cost a few hundred ulps, so the exact remainder of the square (an fma) is applied too.
     */
    private static double expMinusSquare(double x) {
        double square = x * x;
        double remainder = Math.fma(x, x, -square);
        return Math.exp(-square) * Math.exp(-remainder);
    }
}
