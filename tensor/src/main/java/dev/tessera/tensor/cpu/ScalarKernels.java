package dev.tessera.tensor.cpu;

import dev.tessera.tensor.Op;

/**
 * The elementwise ops on staged double and long arrays: the F64 path (double math from
 * {@link Math}) and the exact integer path (I32, I64, BOOL as longs, wrapping as two's complement
 * does). The op switch sits outside each loop.
 */
final class ScalarKernels {
    private ScalarKernels() {}

    /** True for the unary ops that map integers to integers; the others compute integer inputs in double. */
    static boolean keepsIntegers(Op op) {
        return op == Op.NEG || op == Op.ABS || op == Op.SQUARE || op == Op.RELU;
    }

    static void unary(Op op, double[] x, double[] o, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) o[i] = -x[i]; }
            case ABS -> { for (int i = 0; i < n; i++) o[i] = Math.abs(x[i]); }
            case EXP -> { for (int i = 0; i < n; i++) o[i] = Math.exp(x[i]); }
            case LOG -> { for (int i = 0; i < n; i++) o[i] = Math.log(x[i]); }
            case SQRT -> { for (int i = 0; i < n; i++) o[i] = Math.sqrt(x[i]); }
            case RSQRT -> { for (int i = 0; i < n; i++) o[i] = 1 / Math.sqrt(x[i]); }
            case SIN -> { for (int i = 0; i < n; i++) o[i] = Math.sin(x[i]); }
            case COS -> { for (int i = 0; i < n; i++) o[i] = Math.cos(x[i]); }
            case TANH -> { for (int i = 0; i < n; i++) o[i] = Math.tanh(x[i]); }
            case SIGMOID -> { for (int i = 0; i < n; i++) o[i] = sigmoid(x[i]); }
            case RELU -> { for (int i = 0; i < n; i++) o[i] = Math.max(x[i], 0); }
            case SILU -> { for (int i = 0; i < n; i++) o[i] = x[i] * sigmoid(x[i]); }
            case GELU_TANH -> { for (int i = 0; i < n; i++) o[i] = geluTanh(x[i]); }
            case GELU_ERF -> { for (int i = 0; i < n; i++) o[i] = 0.5 * x[i] * DoubleErf.erfc(-x[i] * SQRT_HALF); }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) o[i] = 1 / x[i]; }
            case SQUARE -> { for (int i = 0; i < n; i++) o[i] = x[i] * x[i]; }
            default -> throw new IllegalArgumentException(op.opName() + ": not a unary op");
        }
    }

    /** The ops of {@link #keepsIntegers}, exactly, wrapping on overflow. */
    static void unary(Op op, long[] x, long[] o, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) o[i] = -x[i]; }
            case ABS -> { for (int i = 0; i < n; i++) o[i] = Math.abs(x[i]); }
            case SQUARE -> { for (int i = 0; i < n; i++) o[i] = x[i] * x[i]; }
            case RELU -> { for (int i = 0; i < n; i++) o[i] = Math.max(x[i], 0); }
            default -> throw new IllegalArgumentException(op.opName() + ": not an integer-to-integer op");
        }
    }

    private static final double SQRT_HALF = 0.7071067811865476;
    private static final double SQRT_2_OVER_PI = 0.7978845608028654;

    /** 1 / (1 + e^-x) written so that e^|x| never overflows. */
    private static double sigmoid(double x) {
        double e = Math.exp(-Math.abs(x));
        return (x >= 0 ? 1 : e) / (1 + e);
    }

    /** 0.5 x (1 + tanh(u)) = x sigmoid(2u), free of cancellation for negative x. */
    private static double geluTanh(double x) {
        double z = 2 * SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
        return x * sigmoid(z);
    }

    static void binary(Op op, double[] a, double[] b, double[] o, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) o[i] = a[i] + b[i]; }
            case SUB -> { for (int i = 0; i < n; i++) o[i] = a[i] - b[i]; }
            case MUL -> { for (int i = 0; i < n; i++) o[i] = a[i] * b[i]; }
            case DIV -> { for (int i = 0; i < n; i++) o[i] = a[i] / b[i]; }
            case POW -> { for (int i = 0; i < n; i++) o[i] = pow(a[i], b[i]); }
            case MAXIMUM -> { for (int i = 0; i < n; i++) o[i] = Math.max(a[i], b[i]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) o[i] = Math.min(a[i], b[i]); }
            case EQ -> { for (int i = 0; i < n; i++) o[i] = a[i] == b[i] ? 1 : 0; }
            case NE -> { for (int i = 0; i < n; i++) o[i] = a[i] != b[i] ? 1 : 0; }
            case LT -> { for (int i = 0; i < n; i++) o[i] = a[i] < b[i] ? 1 : 0; }
            case LE -> { for (int i = 0; i < n; i++) o[i] = a[i] <= b[i] ? 1 : 0; }
            case GT -> { for (int i = 0; i < n; i++) o[i] = a[i] > b[i] ? 1 : 0; }
            case GE -> { for (int i = 0; i < n; i++) o[i] = a[i] >= b[i] ? 1 : 0; }
            default -> throw new IllegalArgumentException(op.opName() + ": not a binary op");
        }
    }

    /** Integer arithmetic and comparisons, exact (DIV and POW only ever get floating dtypes). */
    static void binary(Op op, long[] a, long[] b, long[] o, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) o[i] = a[i] + b[i]; }
            case SUB -> { for (int i = 0; i < n; i++) o[i] = a[i] - b[i]; }
            case MUL -> { for (int i = 0; i < n; i++) o[i] = a[i] * b[i]; }
            case MAXIMUM -> { for (int i = 0; i < n; i++) o[i] = Math.max(a[i], b[i]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) o[i] = Math.min(a[i], b[i]); }
            case EQ -> { for (int i = 0; i < n; i++) o[i] = a[i] == b[i] ? 1 : 0; }
            case NE -> { for (int i = 0; i < n; i++) o[i] = a[i] != b[i] ? 1 : 0; }
            case LT -> { for (int i = 0; i < n; i++) o[i] = a[i] < b[i] ? 1 : 0; }
            case LE -> { for (int i = 0; i < n; i++) o[i] = a[i] <= b[i] ? 1 : 0; }
            case GT -> { for (int i = 0; i < n; i++) o[i] = a[i] > b[i] ? 1 : 0; }
            case GE -> { for (int i = 0; i < n; i++) o[i] = a[i] >= b[i] ? 1 : 0; }
            default -> throw new IllegalArgumentException(op.opName() + ": not an integer op");
        }
    }

    /** C's pow, which PyTorch uses: Math.pow except that 1^y = 1 and (-1)^±inf = 1. */
    static double pow(double a, double b) {
        if (a == 1 || (a == -1 && Double.isInfinite(b))) {
            return 1;
        }
        return Math.pow(a, b);
    }

    static void clamp(double[] x, double lo, double hi, double[] o, int n) {
        for (int i = 0; i < n; i++) {
            o[i] = Math.min(Math.max(x[i], lo), hi);
        }
    }

    /** Clamps integers against double bounds; a bound that applies is stored as {@code (long) bound}. */
    static void clamp(long[] x, double lo, double hi, long[] o, int n) {
        for (int i = 0; i < n; i++) {
            long v = x[i];
            if (v < lo) {
                v = (long) lo;
            }
            if (v > hi) {
                v = (long) hi;
            }
            o[i] = v;
        }
    }
}
