package dev.tessera.tensor.cpu;

import static dev.tessera.tensor.cpu.Simd.F;
import static dev.tessera.tensor.cpu.Simd.addLanes;
import static dev.tessera.tensor.cpu.Simd.LANES;
import static dev.tessera.tensor.cpu.Simd.ORDER;
import static dev.tessera.tensor.cpu.Staging.FLOAT;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * RMSNorm over the last dim and its gradient, row by row, rows split over the threads. An F32 row
 * with unit stride is read in place; any other F32, BF16 or F16 row is widened into this thread's
 * scratch and computed there by the same float loops; F64 rows take a double scalar path.
 *
 * <p>Numerics (F32): sums of squares and the backward's sum of g xhat run in 4 x LANES float
 * accumulators added in a fixed order, so a row's result depends only on its values and the
 * vector width. r is rounded once from the double {@code ss / n + eps}. A row whose float sum of
 * squares overflows (|x| above about 1.8e19), underflows below 2^-100 (where subnormal squares
 * would lose digits), or is zero or NaN is summed again in double, whose range holds the square of
 * every float: r is then as exact as the reference's, at the cost of one more read of that row.
 * gradWeight: each chunk of rows adds dy xhat into its own float row, and the chunks' rows are
 * added in chunk order, in double, at the end: no atomics, the same bits for the same thread count.
 */
final class RmsNormKernels {
    private static final int STEP = LANES * Float.BYTES;
    /** Below this a float sum of squares may have lost digits to subnormal or flushed terms: redo it in double. */
    private static final float SMALLEST_TRUSTED_SUM = 0x1p-100f;

    private RmsNormKernels() {}

    /** Element offsets of one row of x, of gradOut and of rstd, and the row's index. */
    @FunctionalInterface
    private interface RowBody {
        void run(long row, long xAt, long dyAt, long rAt);
    }

    /**
     * Walks rows {@code [start, end)} of x's leading dims, with the same rows of dy and rstd (either
     * may be null: then their offsets repeat x's).
     */
    private static void rows(Tensor x, Tensor dy, Tensor rstd, long start, long end, RowBody body) {
        int lead = x.rank() - 1;
        long[] shape = Arrays.copyOf(x.shape(), lead);
        Tensor d = dy == null ? x : dy;
        long[][] strides = {Arrays.copyOf(x.strides(), lead), Arrays.copyOf(d.strides(), lead),
                rstd == null ? Arrays.copyOf(x.strides(), lead) : rstd.strides()};
        long[] offsets = {x.offset(), d.offset(), rstd == null ? x.offset() : rstd.offset()};
        StridedRuns.Cursor c = new StridedRuns(shape, strides, offsets).cursor(start, end);
        long row = start;
        while (c.next()) {
            for (long i = 0; i < c.length(); i++, row++) {
                body.run(row, c.offset(0) + i * c.stride(0), c.offset(1) + i * c.stride(1), c.offset(2) + i * c.stride(2));
            }
        }
    }

    private static long grain(long n) {
        return Math.max(1, Elementwise.GRAIN / n);
    }

    private static boolean inPlace(Tensor t) {
        return t.dtype() == DType.F32 && t.strides()[t.rank() - 1] == 1;
    }

    // ---------------------------------------------------------------- forward

    static void forward(Tensor x, Tensor weight, double eps, Tensor out, Tensor rstd) {
        int n = Math.toIntExact(x.shape()[x.rank() - 1]);
        long rowCount = rstd.numel();
        if (x.numel() == 0) {
            return;
        }
        if (x.dtype() == DType.F64) {
            forwardDouble(x, weight, eps, out, rstd, n, rowCount);
            return;
        }
        DType type = x.dtype();
        long sx = x.strides()[x.rank() - 1];
        MemorySegment xs = x.storage().segment();
        MemorySegment os = out.storage().segment();
        MemorySegment rs = rstd.storage().segment();
        boolean direct = inPlace(x);
        Parallel.forRange(rowCount, grain(n), (start, end) -> {
            Scratch scratch = Scratch.get();
            MemorySegment w = weightAsFloats(weight, scratch, n);
            long wb = inPlace(weight) ? weight.offset() * 4 : 0;
            rows(x, null, null, start, end, (row, xAt, unusedDy, unusedR) -> {
                long ob = out.offset() + row * n;
                float r;
                if (direct) {
                    r = forwardRow(xs, xAt * 4, w, wb, os, ob * 4, n, eps);
                } else {
                    MemorySegment v = scratch.floats(0, n);
                    Staging.toFloats(xs, type, xAt, sx, n, v);
                    r = forwardRow(v, 0, w, wb, v, 0, n, eps);
                    Staging.fromFloats(v, os, type, ob, 1, n);
                }
                rs.set(FLOAT, (rstd.offset() + row) * 4, r);
            });
        });
    }

    /** The weight as floats: in place when it is F32 with unit stride, else widened into scratch slot 1. */
    private static MemorySegment weightAsFloats(Tensor weight, Scratch scratch, int n) {
        if (inPlace(weight)) {
            return weight.storage().segment();
        }
        MemorySegment w = scratch.floats(1, n);
        Staging.toFloats(weight.storage().segment(), weight.dtype(), weight.offset(), weight.strides()[0], n, w);
        return w;
    }

    /** One F32 row (byte offsets; y may be x): writes {@code y = w (x r)} and returns r. */
    private static float forwardRow(MemorySegment x, long xb, MemorySegment w, long wb, MemorySegment y, long yb,
            int n, double eps) {
        float r = rstd(x, xb, n, eps);
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            load(x, xb + i).mul(r).mul(load(w, wb + i)).intoMemorySegment(y, yb + i, ORDER);
        }
        for (; i < n * 4L; i += 4) {
            y.set(FLOAT, yb + i, w.get(FLOAT, wb + i) * (x.get(FLOAT, xb + i) * r));
        }
        return r;
    }

    /** r = 1 / sqrt(mean(x^2) + eps), from the float sum of squares or, where that cannot be trusted, the double one. */
    private static float rstd(MemorySegment x, long xb, int n, double eps) {
        float squares = sumOfSquares(x, xb, n);
        double sum = squares >= SMALLEST_TRUSTED_SUM && squares < Float.POSITIVE_INFINITY
                ? squares
                : sumOfSquaresInDouble(x, xb, n);
        return (float) (1 / Math.sqrt(sum / n + eps));
    }

    private static float sumOfSquares(MemorySegment x, long xb, int n) {
        long i = 0;
        float s = 0f;
        long end4 = Simd.VECTOR ? (n / (4L * LANES)) * 4L * STEP : 0;
        long end = Simd.bound(n) * 4;
        if (end > 0) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            for (; i < end4; i += 4 * STEP) {
                FloatVector v0 = load(x, xb + i);
                FloatVector v1 = load(x, xb + i + STEP);
                FloatVector v2 = load(x, xb + i + 2 * STEP);
                FloatVector v3 = load(x, xb + i + 3 * STEP);
                a0 = v0.fma(v0, a0);
                a1 = v1.fma(v1, a1);
                a2 = v2.fma(v2, a2);
                a3 = v3.fma(v3, a3);
            }
            for (; i < end; i += STEP) {
                FloatVector v = load(x, xb + i);
                a0 = v.fma(v, a0);
            }
            s = addLanes(a0.add(a1).add(a2.add(a3)));
        }
        for (; i < n * 4L; i += 4) {
            float v = x.get(FLOAT, xb + i);
            s = Math.fma(v, v, s);
        }
        return s;
    }

    private static double sumOfSquaresInDouble(MemorySegment x, long xb, int n) {
        double s = 0;
        for (long i = 0; i < n * 4L; i += 4) {
            double v = x.get(FLOAT, xb + i);
            s += v * v;
        }
        return s;
    }

    private static void forwardDouble(Tensor x, Tensor weight, double eps, Tensor out, Tensor rstd, int n, long rowCount) {
        MemorySegment xs = x.storage().segment();
        MemorySegment os = out.storage().segment();
        MemorySegment rs = rstd.storage().segment();
        long sx = x.strides()[x.rank() - 1];
        Parallel.forRange(rowCount, grain(n), (start, end) -> {
            Scratch scratch = Scratch.get();
            double[] w = scratch.doubles(1, n);
            Staging.toDoubles(weight.storage().segment(), DType.F64, weight.offset(), weight.strides()[0], n, w);
            double[] v = scratch.doubles(0, n);
            rows(x, null, null, start, end, (row, xAt, unusedDy, unusedR) -> {
                Staging.toDoubles(xs, DType.F64, xAt, sx, n, v);
                double squares = 0;
                for (int i = 0; i < n; i++) {
                    squares += v[i] * v[i];
                }
                double r = 1 / Math.sqrt(squares / n + eps);
                for (int i = 0; i < n; i++) {
                    v[i] = w[i] * (v[i] * r);
                }
                Staging.fromDoubles(v, os, DType.F64, out.offset() + row * n, 1, n);
                DType.F64.write(rs, rstd.offset() + row, r);
            });
        });
    }

    // ---------------------------------------------------------------- backward

    static void backward(Tensor dy, Tensor x, Tensor weight, Tensor rstd, Tensor dx, Tensor dw) {
        int n = Math.toIntExact(x.shape()[x.rank() - 1]);
        long rowCount = rstd.numel();
        if (x.dtype() == DType.F64) {
            backwardDouble(dy, x, weight, rstd, dx, dw, n, rowCount);
            return;
        }
        DType type = x.dtype();
        long sx = x.strides()[x.rank() - 1];
        long sdy = dy.strides()[dy.rank() - 1];
        MemorySegment xs = x.storage().segment();
        MemorySegment dys = dy.storage().segment();
        MemorySegment dxs = dx.storage().segment();
        MemorySegment rs = rstd.storage().segment();
        boolean direct = inPlace(x) && inPlace(dy);
        int chunks = Parallel.chunks(rowCount, grain(n));
        MemorySegment partials = Arena.ofAuto().allocate((long) chunks * n * 4, 64);
        Parallel.forChunks(rowCount, grain(n), (chunk, start, end) -> {
            Scratch scratch = Scratch.get();
            MemorySegment w = weightAsFloats(weight, scratch, n);
            long wb = inPlace(weight) ? weight.offset() * 4 : 0;
            long pb = (long) chunk * n * 4;
            rows(x, dy, rstd, start, end, (row, xAt, dyAt, rAt) -> {
                float r = rs.get(FLOAT, rAt * 4);
                long dxAt = dx.offset() + row * n;
                if (direct) {
                    backwardRow(dys, dyAt * 4, xs, xAt * 4, w, wb, r, dxs, dxAt * 4, partials, pb, n);
                } else {
                    MemorySegment g = scratch.floats(2, n);
                    MemorySegment v = scratch.floats(0, n);
                    Staging.toFloats(dys, type, dyAt, sdy, n, g);
                    Staging.toFloats(xs, type, xAt, sx, n, v);
                    backwardRow(g, 0, v, 0, w, wb, r, v, 0, partials, pb, n);
                    Staging.fromFloats(v, dxs, type, dxAt, 1, n);
                }
            });
        });
        double[] total = new double[n];
        for (int c = 0; c < chunks; c++) {
            for (int i = 0; i < n; i++) {
                total[i] += partials.get(FLOAT, ((long) c * n + i) * 4);
            }
        }
        Staging.fromDoubles(total, dw.storage().segment(), dw.dtype(), dw.offset(), 1, n);
    }

    /**
     * One F32 row (byte offsets; dx may be x): {@code dx = r (g - xhat mean(g xhat))} with g = dy w,
     * xhat = x r, and {@code acc += dy xhat}.
     */
    private static void backwardRow(MemorySegment dy, long dyb, MemorySegment x, long xb, MemorySegment w, long wb,
            float r, MemorySegment dx, long dxb, MemorySegment acc, long ab, int n) {
        float meanDot = dotOfGradientAndNormalised(dy, dyb, x, xb, w, wb, r, n) / n;
        float negMean = -meanDot;
        FloatVector negMeans = FloatVector.broadcast(F, negMean);
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            FloatVector gy = load(dy, dyb + i);
            FloatVector xhat = load(x, xb + i).mul(r);
            load(acc, ab + i).add(gy.mul(xhat)).intoMemorySegment(acc, ab + i, ORDER);
            FloatVector g = gy.mul(load(w, wb + i));
            xhat.fma(negMeans, g).mul(r).intoMemorySegment(dx, dxb + i, ORDER);
        }
        for (; i < n * 4L; i += 4) {
            float gy = dy.get(FLOAT, dyb + i);
            float xhat = x.get(FLOAT, xb + i) * r;
            acc.set(FLOAT, ab + i, acc.get(FLOAT, ab + i) + gy * xhat);
            float g = gy * w.get(FLOAT, wb + i);
            dx.set(FLOAT, dxb + i, Math.fma(xhat, negMean, g) * r);
        }
    }

    /** Sum over the row of (dy w)(x r), in 4 x LANES accumulators added in a fixed order. */
    private static float dotOfGradientAndNormalised(MemorySegment dy, long dyb, MemorySegment x, long xb,
            MemorySegment w, long wb, float r, int n) {
        long i = 0;
        float s = 0f;
        long end4 = Simd.VECTOR ? (n / (4L * LANES)) * 4L * STEP : 0;
        long end = Simd.bound(n) * 4;
        if (end > 0) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            for (; i < end4; i += 4 * STEP) {
                a0 = gradientTimesNormalised(dy, dyb, x, xb, w, wb, r, i).add(a0);
                a1 = gradientTimesNormalised(dy, dyb, x, xb, w, wb, r, i + STEP).add(a1);
                a2 = gradientTimesNormalised(dy, dyb, x, xb, w, wb, r, i + 2 * STEP).add(a2);
                a3 = gradientTimesNormalised(dy, dyb, x, xb, w, wb, r, i + 3 * STEP).add(a3);
            }
            for (; i < end; i += STEP) {
                a0 = gradientTimesNormalised(dy, dyb, x, xb, w, wb, r, i).add(a0);
            }
            s = addLanes(a0.add(a1).add(a2.add(a3)));
        }
        for (; i < n * 4L; i += 4) {
            float g = dy.get(FLOAT, dyb + i) * w.get(FLOAT, wb + i);
            s += g * (x.get(FLOAT, xb + i) * r);
        }
        return s;
    }

    private static FloatVector gradientTimesNormalised(MemorySegment dy, long dyb, MemorySegment x, long xb,
            MemorySegment w, long wb, float r, long i) {
        return load(dy, dyb + i).mul(load(w, wb + i)).mul(load(x, xb + i).mul(r));
    }

    private static void backwardDouble(Tensor dy, Tensor x, Tensor weight, Tensor rstd, Tensor dx, Tensor dw, int n,
            long rowCount) {
        MemorySegment xs = x.storage().segment();
        MemorySegment dys = dy.storage().segment();
        MemorySegment dxs = dx.storage().segment();
        MemorySegment rs = rstd.storage().segment();
        long sx = x.strides()[x.rank() - 1];
        long sdy = dy.strides()[dy.rank() - 1];
        int chunks = Parallel.chunks(rowCount, grain(n));
        double[][] partials = new double[chunks][n];
        Parallel.forChunks(rowCount, grain(n), (chunk, start, end) -> {
            Scratch scratch = Scratch.get();
            double[] w = scratch.doubles(1, n);
            Staging.toDoubles(weight.storage().segment(), DType.F64, weight.offset(), weight.strides()[0], n, w);
            double[] v = scratch.doubles(0, n);
            double[] gy = scratch.doubles(2, n);
            double[] acc = partials[chunk];
            rows(x, dy, rstd, start, end, (row, xAt, dyAt, rAt) -> {
                double r = rs.get(Staging.DOUBLE, rAt * 8);
                Staging.toDoubles(xs, DType.F64, xAt, sx, n, v);
                Staging.toDoubles(dys, DType.F64, dyAt, sdy, n, gy);
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    double xhat = v[i] * r;
                    dot += gy[i] * w[i] * xhat;
                    acc[i] += gy[i] * xhat;
                }
                double meanDot = dot / n;
                for (int i = 0; i < n; i++) {
                    v[i] = r * (gy[i] * w[i] - v[i] * r * meanDot);
                }
                Staging.fromDoubles(v, dxs, DType.F64, dx.offset() + row * n, 1, n);
            });
        });
        double[] total = new double[n];
        for (double[] partial : partials) {
            for (int i = 0; i < n; i++) {
                total[i] += partial[i];
            }
        }
        Staging.fromDoubles(total, dw.storage().segment(), DType.F64, dw.offset(), 1, n);
    }

    // ---------------------------------------------------------------- vector helpers

    private static FloatVector load(MemorySegment s, long at) {
        return FloatVector.fromMemorySegment(F, s, at, ORDER);
    }
}
