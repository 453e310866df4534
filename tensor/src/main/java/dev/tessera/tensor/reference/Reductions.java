package dev.tessera.tensor.reference;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.Shape;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * SUM, MAX, MIN and LOGSUMEXP over any set of dims: every input element, in row-major order, is
 * folded into the accumulator of the output element it reduces into. Floats accumulate in double,
 * integers and BOOL in long (exact); each output is written once at the end.
 */
final class Reductions {
    private Reductions() {}

    /** Reduces {@code in} into {@code o} of the keepdim shape {@code outShape}; see {@link dev.tessera.tensor.Backend#reduce}. */
    static void reduce(Op op, Elements in, Elements o, long[] outShape) {
        boolean exact = !in.isFloating();
        switch (op) {
            case SUM -> {
                if (exact) {
                    writeAll(o, foldLong(in, outShape, 0, Long::sum));
                } else {
                    writeAll(o, fold(in, outShape, 0, Double::sum));
                }
            }
            case MAX -> {
                if (exact) {
                    writeAll(o, foldLong(in, outShape, Long.MIN_VALUE, Math::max));
                } else {
                    writeAll(o, fold(in, outShape, Double.NEGATIVE_INFINITY, Math::max));
                }
            }
            case MIN -> {
                if (exact) {
                    writeAll(o, foldLong(in, outShape, Long.MAX_VALUE, Math::min));
                } else {
                    writeAll(o, fold(in, outShape, Double.POSITIVE_INFINITY, Math::min));
                }
            }
            case LOGSUMEXP -> writeAll(o, logSumExp(in, outShape));
            default -> throw new IllegalArgumentException("reduce: " + op.opName() + " is not a reduction");
        }
    }

    /** {@code max + log(sum(exp(x - max)))} per output element; an infinite or empty max is the answer itself. */
    private static double[] logSumExp(Elements in, long[] outShape) {
        double[] max = fold(in, outShape, Double.NEGATIVE_INFINITY, Math::max);
        double[] sum = new double[max.length];
        for (long i = 0; i < in.numel(); i++) {
            long[] c = in.coords(i);
            int k = reducedSlot(c, outShape);
            sum[k] += Math.exp(in.get(c) - max[k]);
        }
        double[] result = new double[max.length];
        for (int k = 0; k < max.length; k++) {
            // With max = ±infinity the shifted sum is NaN, but the answer is max: all -inf (or no
            // elements) gives -inf, any +inf gives +inf. A NaN max gives NaN either way.
            result[k] = Double.isInfinite(max[k]) ? max[k] : max[k] + Math.log(sum[k]);
        }
        return result;
    }

    /** Folds every element of {@code in}, in row-major order, into its output element's accumulator. */
    private static double[] fold(Elements in, long[] outShape, double initial, DoubleBinaryOperator step) {
        double[] acc = new double[Math.toIntExact(Shape.numel(outShape))];
        Arrays.fill(acc, initial);
        for (long i = 0; i < in.numel(); i++) {
            long[] c = in.coords(i);
            int k = reducedSlot(c, outShape);
            acc[k] = step.applyAsDouble(acc[k], in.get(c));
        }
        return acc;
    }

    private static long[] foldLong(Elements in, long[] outShape, long initial, LongBinaryOperator step) {
        long[] acc = new long[Math.toIntExact(Shape.numel(outShape))];
        Arrays.fill(acc, initial);
        for (long i = 0; i < in.numel(); i++) {
            long[] c = in.coords(i);
            int k = reducedSlot(c, outShape);
            acc[k] = step.applyAsLong(acc[k], in.getLong(c));
        }
        return acc;
    }

    /** The row-major index, in the keepdim output, of the element that input coordinates {@code c} reduce into. */
    private static int reducedSlot(long[] c, long[] outShape) {
        long slot = 0;
        for (int d = 0; d < c.length; d++) {
            slot = slot * outShape[d] + (outShape[d] == 1 ? 0 : c[d]);
        }
        return Math.toIntExact(slot);
    }

    private static void writeAll(Elements o, double[] values) {
        for (int k = 0; k < values.length; k++) {
            o.set(o.coords(k), values[k]);
        }
    }

    private static void writeAll(Elements o, long[] values) {
        for (int k = 0; k < values.length; k++) {
            o.setLong(o.coords(k), values[k]);
        }
    }
}
