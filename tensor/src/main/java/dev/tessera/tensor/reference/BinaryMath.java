package dev.tessera.tensor.reference;

import dev.tessera.tensor.Op;

/**
 * The scalar math of the {@link Op.Group#BINARY} and {@link Op.Group#COMPARISON} ops: in double
 * for float types, exactly in long for integer types (wrapping on overflow as two's complement does).
 */
final class BinaryMath {
    private BinaryMath() {}

    static double apply(Op op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> pow(a, b);
            case MAXIMUM -> Math.max(a, b); // NaN wins, as in PyTorch
            case MINIMUM -> Math.min(a, b);
            default -> throw new IllegalArgumentException(op.opName() + ": not a binary op");
        };
    }

    static long apply(Op op, long a, long b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> divide(a, b);
            case POW -> pow(a, b);
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            default -> throw new IllegalArgumentException(op.opName() + ": not a binary op");
        };
    }

    /** A comparison of floats: false whenever a NaN is involved, except for NE. */
    static boolean compare(Op op, double a, double b) {
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
            default -> throw new IllegalArgumentException(op.opName() + ": not a comparison");
        };
    }

    static boolean compare(Op op, long a, long b) {
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
            default -> throw new IllegalArgumentException(op.opName() + ": not a comparison");
        };
    }

    /**
     * C's {@code pow}, which PyTorch uses. Java's Math.pow agrees except where C returns 1: a base of
     * 1 with any exponent (NaN included), and a base of -1 with an infinite exponent.
     */
    private static double pow(double a, double b) {
        if (a == 1 || (a == -1 && Double.isInfinite(b))) {
            return 1;
        }
        return Math.pow(a, b);
    }

    /** Integer division truncating toward zero, as C and PyTorch's {@code rounding_mode='trunc'} do. */
    private static long divide(long a, long b) {
        if (b == 0) {
            throw new ArithmeticException("div: integer division by zero");
        }
        return a / b;
    }

    /**
     * Integer power by repeated squaring, wrapping on overflow. A negative exponent gives what
     * PyTorch's integer pow gives: 1 for base 1, ±1 for base -1, otherwise 0 (base 0 included).
     */
    private static long pow(long base, long exponent) {
        if (exponent < 0) {
            if (base == 1) {
                return 1;
            }
            if (base == -1) {
                return exponent % 2 == 0 ? 1 : -1;
            }
            return 0;
        }
        long result = 1;
        long square = base;
        for (long e = exponent; e > 0; e >>= 1) {
            if ((e & 1) == 1) {
                result *= square;
            }
            square *= square;
        }
        return result;
    }
}
