package dev.tessera.tensor.reference;

import dev.tessera.tensor.Op;

/** The scalar math of every {@link Op.Group#UNARY} op, in double, and exactly in long where an op keeps integers integers. */
final class UnaryMath {
    private UnaryMath() {}

    private static final double SQRT_2_OVER_PI = 0.7978845608028654;
    private static final double SQRT_HALF = 0.7071067811865476;

    /** True for the ops that map integers to integers (as PyTorch allows them on integer tensors). */
    static boolean keepsIntegers(Op op) {
        return op == Op.NEG || op == Op.ABS || op == Op.SQUARE || op == Op.RELU;
    }

    /** {@code op(x)} on an integer; wraps around on overflow as two's complement does (abs and neg of the minimum value included). */
    static long apply(Op op, long x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SQUARE -> x * x;
            case RELU -> Math.max(x, 0);
            default -> throw new IllegalArgumentException(op.opName() + ": not an integer-to-integer op");
        };
    }

    static double apply(Op op, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1 / Math.sqrt(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> sigmoid(x);
            case RELU -> relu(x);
            case SILU -> x * sigmoid(x);
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
            // 1 + erf(x/sqrt2) written as erfc(-x/sqrt2), which stays accurate in the far negative tail.
            case GELU_ERF -> 0.5 * x * Erf.erfc(-x * SQRT_HALF);
            case RECIPROCAL -> 1 / x;
            case SQUARE -> x * x;
            default -> throw new IllegalArgumentException(op.opName() + ": not a unary op");
        };
    }

    /** {@code 1 / (1 + e^-x)}, written so that e^|x| never overflows. */
    private static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x); // also the NaN path: NaN >= 0 is false and exp(NaN) is NaN
        return e / (1 + e);
    }

    /** {@code max(x, 0)} with NaN kept, as PyTorch's relu does. */
    private static double relu(double x) {
        return x > 0 || Double.isNaN(x) ? x : 0;
    }
}
