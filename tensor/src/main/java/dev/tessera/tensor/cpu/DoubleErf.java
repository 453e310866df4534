package dev.tessera.tensor.cpu;

/**
 * erfc in double precision for the F64 path of gelu_erf (Java's Math has no erf). For |z| < 3 it
 * uses the series erf(z) = 2/sqrt(pi) e^(-z^2) sum_n 2^n z^(2n+1) / (1 * 3 * ... * (2n+1)), whose
 * terms are all positive (no cancellation); beyond, the continued fraction of erfc, evaluated
 * backwards from a fixed depth that converges to double precision there.
 */
final class DoubleErf {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;
    private static final double SERIES_LIMIT = 3;
    private static final int FRACTION_DEPTH = 60;

    private DoubleErf() {}

    static double erfc(double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        double a = Math.abs(z);
        double tail;
        if (a < SERIES_LIMIT) {
            tail = 1 - erfSeries(a);
        } else {
            tail = erfcFraction(a);
        }
        return z < 0 ? 2 - tail : tail;
    }

    /** erf(a) for 0 <= a < 3. */
    private static double erfSeries(double a) {
        double a2 = a * a;
        double term = a;
        double sum = a;
        for (int n = 1; term > 1e-17 * sum; n++) {
            term *= 2 * a2 / (2 * n + 1);
            sum += term;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-a2) * sum;
    }

    /** erfc(a) for a >= 3: e^(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))). */
    private static double erfcFraction(double a) {
        if (a > 27) {
            return 0; // below the smallest double
        }
        double f = a;
        for (int k = FRACTION_DEPTH; k >= 1; k--) {
            f = a + (k / 2.0) / f;
        }
        return ONE_OVER_SQRT_PI * Math.exp(-a * a) / f;
    }
}
