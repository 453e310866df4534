package dev.tessera.tensor.cpu;

import static dev.tessera.tensor.cpu.Simd.F;
import static dev.tessera.tensor.cpu.Simd.ORDER;
import static dev.tessera.tensor.cpu.Staging.FLOAT;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Fused cross-entropy over the rows of logits [N, C], rows split over the threads (fixed chunks,
 * one row never split, so results do not depend on the thread count).
 *
 * <p>Forward, per row: the max, then the sum of exp(x - max), then lse = max + log(sum) and
 * loss = lse - x[target]. Max-then-sum rather than an online (running max, rescaled sum) pass:
 * both read the row from memory once, since a row of up to tens of thousands of floats stays in
 * L1/L2 between the two sweeps, but the online form pays a second exp per vector to rescale the
 * sum whenever the max moves, and the max sweep is nearly free next to the exp sweep. The two
 * sweeps are {@link FloatReduceKernels#max} and {@link FloatReduceKernels#sumExp}, the same
 * loops log_softmax uses, so lse here is bit for bit the shift log_softmax subtracts.
 *
 * <p>Backward, per row: {@code g * exp(x - lse)} in one vector sweep, then the target's element
 * is recomputed as {@code g * (exp(x - lse) - 1)} with the scalar exp, which gives the same bits
 * as the vector lanes. Ignored rows are zero-filled.
 *
 * <p>Contiguous F32 rows run in place; strided, BF16 and F16 rows are staged as floats into this
 * thread's scratch; F64 rows run in scalar double loops.
 */
final class CrossEntropyKernels {
    private static final int STEP = Simd.LANES * Float.BYTES;

    private CrossEntropyKernels() {}

    /** Where row n of logits starts and how its classes are spaced, in elements. */
    private record Rows(MemorySegment segment, DType dtype, long offset, long rowStride, long classStride,
            long classes) {
        Rows(Tensor logits) {
            this(logits.storage().segment(), logits.dtype(), logits.offset(), logits.strides()[0],
                    logits.strides()[1], logits.shape()[1]);
        }

        long at(long n) {
            return offset + n * rowStride;
        }

        /** Row n as floats: in place when it is a contiguous F32 row, else staged into float scratch slot 0. */
        FloatRow floats(long n) {
            if (dtype == DType.F32 && classStride == 1) {
                return new FloatRow(segment, at(n) * Float.BYTES);
            }
            MemorySegment staged = Scratch.get().floats(0, classes);
            Staging.toFloats(segment, dtype, at(n), classStride, (int) classes, staged);
            return new FloatRow(staged, 0);
        }
    }

    /** A contiguous run of floats: a segment and a byte offset. */
    private record FloatRow(MemorySegment segment, long base) {
        float get(long c) {
            return segment.get(FLOAT, base + c * Float.BYTES);
        }
    }

    /** Rows per chunk: enough elements per task to pay for the task. */
    private static long grain(long classes) {
        return Math.max(1, Elementwise.GRAIN / Math.max(1, classes));
    }

    private static long target(Tensor targets, long n) {
        return targets.storage().segment().get(Staging.LONG, (targets.offset() + n * targets.strides()[0]) * Long.BYTES);
    }

    /** One element of a 1-D F32 or F64 tensor (gradLoss, lse) as a double. */
    private static double element(Tensor t, long n) {
        return t.dtype().read(t.storage().segment(), t.offset() + n * t.strides()[0]);
    }

    static void forward(Tensor logits, Tensor targets, long ignoreIndex, Tensor loss, Tensor lse) {
        Rows rows = new Rows(logits);
        long classes = rows.classes();
        DType out = loss.dtype();
        MemorySegment lossSeg = loss.storage().segment();
        MemorySegment lseSeg = lse.storage().segment();
        Parallel.forRange(logits.shape()[0], grain(classes), (start, end) -> {
            for (long n = start; n < end; n++) {
                long target = target(targets, n);
                double logSum;
                double picked;
                if (rows.dtype() == DType.F64) {
                    logSum = logSumExp(rows, n);
                    picked = target == ignoreIndex ? 0 : rows.dtype().read(rows.segment(), rows.at(n) + target * rows.classStride());
                } else {
                    FloatRow row = rows.floats(n);
                    float max = FloatReduceKernels.max(row.segment(), row.base(), classes);
                    logSum = max == Float.NEGATIVE_INFINITY ? max
                            : max + Math.log(FloatReduceKernels.sumExp(row.segment(), row.base(), classes, max));
                    picked = target == ignoreIndex ? 0 : row.get(target);
                }
                out.write(lseSeg, n, logSum);
                out.write(lossSeg, n, target == ignoreIndex ? 0 : logSum - picked);
            }
        });
    }

    /** log sum exp of an F64 row, max-shifted, in double. */
    private static double logSumExp(Rows rows, long n) {
        MemorySegment s = rows.segment();
        long at = rows.at(n);
        long stride = rows.classStride();
        double max = Double.NEGATIVE_INFINITY;
        for (long c = 0; c < rows.classes(); c++) {
            max = Math.max(max, DType.F64.read(s, at + c * stride));
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (long c = 0; c < rows.classes(); c++) {
            sum += Math.exp(DType.F64.read(s, at + c * stride) - max);
        }
        return max + Math.log(sum);
    }

    static void backward(Tensor gradLoss, Tensor logits, Tensor targets, Tensor lse, long ignoreIndex, Tensor gradLogits) {
        Rows rows = new Rows(logits);
        long classes = rows.classes();
        DType outType = gradLogits.dtype();
        MemorySegment out = gradLogits.storage().segment();
        long rowBytes = classes * outType.byteSize();
        Parallel.forRange(logits.shape()[0], grain(classes), (start, end) -> {
            for (long n = start; n < end; n++) {
                long target = target(targets, n);
                long outAt = (gradLogits.offset() + n * classes);
                if (target == ignoreIndex) {
                    out.asSlice(outAt * outType.byteSize(), rowBytes).fill((byte) 0); // +0.0 in every float dtype
                    continue;
                }
                double g = element(gradLoss, n);
                double shift = element(lse, n);
                if (outType == DType.F64) {
                    gradRowDouble(rows, n, g, shift, target, out, outAt);
                    continue;
                }
                FloatRow row = rows.floats(n);
                if (outType == DType.F32) {
                    gradRow(row, out, outAt * Float.BYTES, classes, (float) g, (float) shift, target);
                } else {
                    gradRow(row, row.segment(), row.base(), classes, (float) g, (float) shift, target);
                    Staging.fromFloats(row.segment().asSlice(row.base()), out, outType, outAt, 1, (int) classes);
                }
            }
        });
    }

    /** {@code o[c] = g * (exp(x[c] - lse) - [c == target])} over one float row (o may be the row itself). */
    private static void gradRow(FloatRow x, MemorySegment o, long ob, long classes, float g, float lse, long target) {
        float picked = x.get(target);
        MemorySegment xs = x.segment();
        long xb = x.base();
        long i = 0;
        for (long end = Simd.bound(classes) * Float.BYTES; i < end; i += STEP) {
            FloatVector v = FloatVector.fromMemorySegment(F, xs, xb + i, ORDER);
            VectorMath.exp(v.sub(lse)).mul(g).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < classes * Float.BYTES; i += Float.BYTES) {
            o.set(FLOAT, ob + i, VectorMath.exp(xs.get(FLOAT, xb + i) - lse) * g);
        }
        o.set(FLOAT, ob + target * Float.BYTES, (VectorMath.exp(picked - lse) - 1f) * g);
    }

    private static void gradRowDouble(Rows rows, long n, double g, double lse, long target, MemorySegment out, long outAt) {
        MemorySegment s = rows.segment();
        long at = rows.at(n);
        for (long c = 0; c < rows.classes(); c++) {
            double p = Math.exp(DType.F64.read(s, at + c * rows.classStride()) - lse);
            DType.F64.write(out, outAt + c, g * (p - (c == target ? 1 : 0)));
        }
    }
}
