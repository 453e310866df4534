package dev.tessera.tensor.cpu;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Ops along one dim, row by row: SOFTMAX and LOG_SOFTMAX (max-shifted) and CUMSUM. A contiguous
 * F32 row is computed in place with vector loops; any other row is gathered into this thread's
 * scratch (as floats for BF16/F16, doubles for F64 and integers), computed there, and scattered
 * back. Rows are split over the threads.
 */
final class RowOps {
    private RowOps() {}

    /** Calls {@code body(xAt, outAt)} for the start of every row along {@code dim}, rows split over threads. */
    @FunctionalInterface
    private interface RowBody {
        void run(long xAt, long outAt);
    }

    private static void forEachRow(Tensor x, int dim, Tensor out, RowBody body) {
        long[] rowShape = x.shape();
        long length = rowShape[dim];
        rowShape[dim] = 1;
        StridedRuns rows = new StridedRuns(rowShape, new long[][] {x.strides(), out.strides()},
                new long[] {x.offset(), out.offset()});
        Parallel.forRange(rows.numel(), Math.max(1, Elementwise.GRAIN / Math.max(1, length)), (start, end) -> {
            StridedRuns.Cursor c = rows.cursor(start, end);
            while (c.next()) {
                for (long i = 0; i < c.length(); i++) {
                    body.run(c.offset(0) + i * c.stride(0), c.offset(1) + i * c.stride(1));
                }
            }
        });
    }

    static void softmax(Op op, Tensor x, int dim, Tensor out) {
        long n = x.shape()[dim];
        if (x.numel() == 0) {
            return;
        }
        boolean log = op == Op.LOG_SOFTMAX;
        long sx = x.strides()[dim];
        long so = out.strides()[dim];
        MemorySegment xs = x.storage().segment();
        MemorySegment os = out.storage().segment();
        DType xt = x.dtype();
        DType ot = out.dtype();
        boolean floats = isFloatFamily(xt) && isFloatFamily(ot);
        forEachRow(x, dim, out, (xAt, outAt) -> {
            if (xt == DType.F32 && ot == DType.F32 && sx == 1 && so == 1) {
                softmaxRow(log, xs, xAt * 4, os, outAt * 4, n);
            } else if (floats) {
                MemorySegment row = Scratch.get().floats(0, n);
                Staging.toFloats(xs, xt, xAt, sx, (int) n, row);
                softmaxRow(log, row, 0, row, 0, n);
                Staging.fromFloats(row, os, ot, outAt, so, (int) n);
            } else {
                double[] row = Scratch.get().doubles(0, (int) n);
                Staging.toDoubles(xs, xt, xAt, sx, (int) n, row);
                softmaxRow(log, row, (int) n);
                Staging.fromDoubles(row, os, ot, outAt, so, (int) n);
            }
        });
    }

    private static boolean isFloatFamily(DType t) {
        return t == DType.F32 || t == DType.BF16 || t == DType.F16;
    }

    /** One contiguous F32 row (may be in place): max, then exp and sum, then scale (or shift by the log-sum). */
    private static void softmaxRow(boolean log, MemorySegment x, long xb, MemorySegment o, long ob, long n) {
        float m = FloatReduceKernels.max(x, xb, n);
        if (log) {
            double sum = FloatReduceKernels.sumExp(x, xb, n, m);
            FloatReduceKernels.shift(x, xb, o, ob, n, (float) (m + Math.log(sum)));
        } else {
            double sum = FloatReduceKernels.expAndSum(x, xb, o, ob, n, m);
            FloatReduceKernels.scale(o, ob, o, ob, n, (float) (1 / sum));
        }
    }

    private static void softmaxRow(boolean log, double[] v, int n) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, v[i]);
        }
        double sum = 0;
        if (log) {
            for (int i = 0; i < n; i++) {
                sum += Math.exp(v[i] - m);
            }
            double shift = m + Math.log(sum);
            for (int i = 0; i < n; i++) {
                v[i] -= shift;
            }
        } else {
            for (int i = 0; i < n; i++) {
                v[i] = Math.exp(v[i] - m);
                sum += v[i];
            }
            for (int i = 0; i < n; i++) {
                v[i] /= sum;
            }
        }
    }

    /**
     * Inclusive prefix sum: floats accumulate in double (as PyTorch's CPU cumsum does) and each
     * prefix is rounded once to the output dtype; integers and BOOL accumulate exactly in long.
     */
    static void cumsum(Tensor x, int dim, Tensor out) {
        long n = x.shape()[dim];
        if (x.numel() == 0) {
            return;
        }
        long sx = x.strides()[dim];
        long so = out.strides()[dim];
        MemorySegment xs = x.storage().segment();
        MemorySegment os = out.storage().segment();
        DType xt = x.dtype();
        DType ot = out.dtype();
        boolean exact = !xt.isFloating() && !ot.isFloating();
        forEachRow(x, dim, out, (xAt, outAt) -> {
            Scratch scratch = Scratch.get();
            if (exact) {
                long[] v = scratch.longs(0, Scratch.BLOCK);
                long acc = 0;
                for (long done = 0; done < n; done += Scratch.BLOCK) {
                    int m = (int) Math.min(Scratch.BLOCK, n - done);
                    Staging.toLongs(xs, xt, xAt + done * sx, sx, m, v);
                    for (int i = 0; i < m; i++) {
                        acc += v[i];
                        v[i] = acc;
                    }
                    Staging.fromLongs(v, os, ot, outAt + done * so, so, m);
                }
            } else {
                double[] v = scratch.doubles(0, Scratch.BLOCK);
                double acc = 0;
                for (long done = 0; done < n; done += Scratch.BLOCK) {
                    int m = (int) Math.min(Scratch.BLOCK, n - done);
                    Staging.toDoubles(xs, xt, xAt + done * sx, sx, m, v);
                    for (int i = 0; i < m; i++) {
                        acc += v[i];
                        v[i] = acc;
                    }
                    Staging.fromDoubles(v, os, ot, outAt + done * so, so, m);
                }
            }
        });
    }
}
