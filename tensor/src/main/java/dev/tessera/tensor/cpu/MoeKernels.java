package dev.tessera.tensor.cpu;

import static dev.tessera.tensor.cpu.Simd.F;
import static dev.tessera.tensor.cpu.Simd.LANES;
import static dev.tessera.tensor.cpu.Simd.ORDER;
import static dev.tessera.tensor.cpu.Staging.FLOAT;
import static dev.tessera.tensor.cpu.Staging.LONG;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The MoE dispatch on the CPU. moe_plan is one sequential counting sort, O(T K + E): tiny next to
 * the expert GEMMs, so it is not worth threads. The gathers split rows over the threads, and every
 * output row is written by one thread: moe_permute copies rows (a memory copy for unit-stride rows),
 * moe_unpermute gives each token its K rows summed in ascending k, the backward scales one
 * gradient row per permuted row and takes one dot product per slot. F32 rows with unit stride are
 * read in place with vector loops; other float rows are widened into this thread's scratch first;
 * F64 rows take a double scalar path. Indices are range-checked in a first pass, before anything
 * is written.
 */
final class MoeKernels {
    private static final int STEP = LANES * Float.BYTES;

    private MoeKernels() {}

    // ---------------------------------------------------------------- plan

    static void plan(Tensor expertIds, long capacity, Tensor counts, Tensor order, Tensor position) {
        long tokens = expertIds.shape()[0];
        int topK = (int) expertIds.shape()[1];
        int experts = (int) counts.shape()[0];
        long assignments = tokens * topK;
        long[] perExpert = new long[experts];
        for (long a = 0; a < assignments; a++) {
            long e = id(expertIds, a, topK);
            if (e < 0 || e >= experts) {
                throw new IllegalArgumentException("moe_plan: expert id " + e + " at [" + a / topK + ", " + a % topK
                        + "] is outside [0, " + experts + ")");
            }
            perExpert[(int) e]++;
        }
        MemorySegment c = counts.storage().segment();
        MemorySegment o = order.storage().segment();
        MemorySegment p = position.storage().segment();
        long[] next = new long[experts]; // the next free row of each expert, from its exclusive prefix sum
        long[] end = new long[experts];
        long kept = 0;
        for (int e = 0; e < experts; e++) {
            long keep = Math.min(perExpert[e], capacity);
            c.setAtIndex(LONG, counts.offset() + e, keep);
            next[e] = kept;
            kept += keep;
            end[e] = kept;
        }
        for (long a = 0; a < assignments; a++) {
            int e = (int) id(expertIds, a, topK);
            long row = next[e] < end[e] ? next[e]++ : -1;
            p.setAtIndex(LONG, position.offset() + a, row);
            if (row >= 0) {
                o.setAtIndex(LONG, order.offset() + row, a);
            }
        }
        for (long row = kept; row < assignments; row++) {
            o.setAtIndex(LONG, order.offset() + row, -1L);
        }
    }

    /** The expert id of assignment a = t * K + k. */
    private static long id(Tensor ids, long a, int topK) {
        long[] s = ids.strides();
        return ids.dtype().readLong(ids.storage().segment(), ids.offset() + (a / topK) * s[0] + (a % topK) * s[1]);
    }

    // ---------------------------------------------------------------- permute

    static void permute(Tensor x, Tensor order, int topK, Tensor out) {
        long rows = out.shape()[0];
        int width = (int) out.shape()[1];
        checkRange("moe_permute", "order", order, 0, x.shape()[0] * topK);
        if (rows == 0 || width == 0) {
            return;
        }
        MemorySegment xs = x.storage().segment();
        MemorySegment os = out.storage().segment();
        long[] xStride = x.strides();
        int bytes = x.dtype().byteSize();
        Parallel.forRange(rows, grain(width), (start, end) -> {
            for (long p = start; p < end; p++) {
                long token = index(order, p) / topK;
                Staging.copyElements(xs, x.offset() + token * xStride[0], xStride[1], os, out.offset() + p * width, 1,
                        width, bytes);
            }
        });
    }

    // ---------------------------------------------------------------- unpermute

    static void unpermute(Tensor yp, Tensor position, Tensor weights, Tensor out) {
        long tokens = out.shape()[0];
        int width = (int) out.shape()[1];
        int topK = (int) position.shape()[1];
        checkRange("moe_unpermute", "position", position, -1, yp.shape()[0]);
        if (tokens == 0 || width == 0) {
            return;
        }
        Rows src = new Rows(yp);
        Rows dst = new Rows(out);
        Parallel.forRange(tokens, grain((long) width * topK), (start, end) -> {
            Scratch scratch = Scratch.get();
            for (long t = start; t < end; t++) {
                if (src.type == DType.F64) {
                    double[] sum = scratch.doubles(0, width);
                    java.util.Arrays.fill(sum, 0, width, 0);
                    double[] row = scratch.doubles(1, width);
                    for (int k = 0; k < topK; k++) {
                        long p = slot(position, t, k);
                        if (p >= 0) {
                            double w = weight(weights, t, k);
                            src.doubles(p, width, row);
                            for (int h = 0; h < width; h++) {
                                sum[h] += w * row[h];
                            }
                        }
                    }
                    dst.write(t, width, sum);
                } else {
                    boolean direct = dst.type == DType.F32;
                    MemorySegment sum = direct ? dst.segment : scratch.floats(0, width);
                    long sb = direct ? dst.byteOffset(t) : 0;
                    sum.asSlice(sb, (long) width * Float.BYTES).fill((byte) 0);
                    for (int k = 0; k < topK; k++) {
                        long p = slot(position, t, k);
                        if (p >= 0) {
                            float w = (float) weight(weights, t, k);
                            if (src.inPlace()) {
                                axpy(w, src.segment, src.byteOffset(p), sum, sb, width);
                            } else {
                                MemorySegment row = scratch.floats(1, width);
                                src.floats(p, width, row);
                                axpy(w, row, 0, sum, sb, width);
                            }
                        }
                    }
                    if (!direct) {
                        dst.write(t, width, sum);
                    }
                }
            }
        });
    }

    // ---------------------------------------------------------------- unpermute backward

    static void unpermuteBackward(Tensor gradOut, Tensor yp, Tensor order, Tensor position, Tensor weights,
            Tensor gradYp, Tensor gradWeights) {
        int topK = (int) position.shape()[1];
        int width = (int) yp.shape()[1];
        checkRange("moe_unpermute_backward", "order", order, 0, position.shape()[0] * topK);
        checkRange("moe_unpermute_backward", "position", position, -1, yp.shape()[0]);
        Rows dy = new Rows(gradOut);
        Rows rows = new Rows(yp);
        Rows dRows = new Rows(gradYp);
        if (width > 0) {
            Parallel.forRange(gradYp.shape()[0], grain(width), (start, end) -> {
                Scratch scratch = Scratch.get();
                for (long p = start; p < end; p++) {
                    long a = index(order, p);
                    scaleRow(weight(weights, a / topK, (int) (a % topK)), dy, a / topK, dRows, p, width, scratch);
                }
            });
        }
        MemorySegment dw = gradWeights.storage().segment();
        DType type = gradWeights.dtype();
        Parallel.forRange(position.shape()[0], grain((long) width * topK), (start, end) -> {
            Scratch scratch = Scratch.get();
            for (long t = start; t < end; t++) {
                for (int k = 0; k < topK; k++) {
                    long p = slot(position, t, k);
                    double dot = p < 0 ? 0 : dotRows(dy, t, rows, p, width, scratch);
                    type.write(dw, gradWeights.offset() + t * topK + k, dot);
                }
            }
        });
    }

    /** dst[q] = w * src[t]. */
    private static void scaleRow(double w, Rows src, long t, Rows dst, long q, int width, Scratch scratch) {
        if (src.type == DType.F64) {
            double[] row = scratch.doubles(0, width);
            src.doubles(t, width, row);
            for (int h = 0; h < width; h++) {
                row[h] *= w;
            }
            dst.write(q, width, row);
            return;
        }
        MemorySegment in = src.inPlace() ? src.segment : scratch.floats(0, width);
        long ib = src.inPlace() ? src.byteOffset(t) : 0;
        if (!src.inPlace()) {
            src.floats(t, width, in);
        }
        boolean direct = dst.type == DType.F32;
        MemorySegment o = direct ? dst.segment : scratch.floats(1, width);
        long ob = direct ? dst.byteOffset(q) : 0;
        scale((float) w, in, ib, o, ob, width);
        if (!direct) {
            dst.write(q, width, o);
        }
    }

    /** sum_h a[t, h] * b[p, h] in float (double for F64). */
    private static double dotRows(Rows a, long t, Rows b, long p, int width, Scratch scratch) {
        if (a.type == DType.F64) {
            double[] x = scratch.doubles(0, width);
            double[] y = scratch.doubles(1, width);
            a.doubles(t, width, x);
            b.doubles(p, width, y);
            double dot = 0;
            for (int h = 0; h < width; h++) {
                dot += x[h] * y[h];
            }
            return dot;
        }
        MemorySegment x = a.inPlace() ? a.segment : scratch.floats(0, width);
        long xb = a.inPlace() ? a.byteOffset(t) : 0;
        if (!a.inPlace()) {
            a.floats(t, width, x);
        }
        MemorySegment y = b.inPlace() ? b.segment : scratch.floats(1, width);
        long yb = b.inPlace() ? b.byteOffset(p) : 0;
        if (!b.inPlace()) {
            b.floats(p, width, y);
        }
        return dot(x, xb, y, yb, width);
    }

    // ---------------------------------------------------------------- float row loops (byte offsets)

    /** y += w x. */
    private static void axpy(float w, MemorySegment x, long xb, MemorySegment y, long yb, int n) {
        long i = 0;
        FloatVector wv = FloatVector.broadcast(F, w);
        for (long end = Simd.bound(n) * Float.BYTES; i < end; i += STEP) {
            load(x, xb + i).fma(wv, load(y, yb + i)).intoMemorySegment(y, yb + i, ORDER);
        }
        for (; i < n * (long) Float.BYTES; i += Float.BYTES) {
            y.set(FLOAT, yb + i, Math.fma(w, x.get(FLOAT, xb + i), y.get(FLOAT, yb + i)));
        }
    }

    /** y = w x. */
    private static void scale(float w, MemorySegment x, long xb, MemorySegment y, long yb, int n) {
        long i = 0;
        for (long end = Simd.bound(n) * Float.BYTES; i < end; i += STEP) {
            load(x, xb + i).mul(w).intoMemorySegment(y, yb + i, ORDER);
        }
        for (; i < n * (long) Float.BYTES; i += Float.BYTES) {
            y.set(FLOAT, yb + i, w * x.get(FLOAT, xb + i));
        }
    }

    /** One vector accumulator, its lanes added first to last, then the tail: a fixed order for a given vector width. */
    private static float dot(MemorySegment x, long xb, MemorySegment y, long yb, int n) {
        long i = 0;
        float sum = 0;
        long end = Simd.bound(n) * Float.BYTES;
        if (end > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (; i < end; i += STEP) {
                acc = load(x, xb + i).fma(load(y, yb + i), acc);
            }
            sum = Simd.addLanes(acc);
        }
        for (; i < n * (long) Float.BYTES; i += Float.BYTES) {
            sum = Math.fma(x.get(FLOAT, xb + i), y.get(FLOAT, yb + i), sum);
        }
        return sum;
    }

    private static FloatVector load(MemorySegment s, long at) {
        return FloatVector.fromMemorySegment(F, s, at, ORDER);
    }

    // ---------------------------------------------------------------- indices and rows

    private static long grain(long workPerItem) {
        return Math.max(1, Elementwise.GRAIN / Math.max(1, workPerItem));
    }

    /** Element i of a 1-D I64 tensor. */
    private static long index(Tensor t, long i) {
        return t.storage().segment().getAtIndex(LONG, t.offset() + i * t.strides()[0]);
    }

    /** position[t, k]. */
    private static long slot(Tensor position, long t, int k) {
        long[] s = position.strides();
        return position.storage().segment().getAtIndex(LONG, position.offset() + t * s[0] + k * s[1]);
    }

    /** weights[t, k] as a double (exact for every float dtype). */
    private static double weight(Tensor weights, long t, int k) {
        long[] s = weights.strides();
        return weights.dtype().read(weights.storage().segment(), weights.offset() + t * s[0] + k * s[1]);
    }

    /** Every element of an I64 index tensor (1-D or 2-D) lies in [lo, hi); else names the op, the tensor and the entry. */
    private static void checkRange(String op, String name, Tensor t, long lo, long hi) {
        long cols = t.rank() == 2 ? t.shape()[1] : 1;
        long[] s = t.strides();
        long colStride = t.rank() == 2 ? s[1] : 0;
        MemorySegment seg = t.storage().segment();
        for (long r = 0; r < t.shape()[0]; r++) {
            for (long c = 0; c < cols; c++) {
                long v = seg.getAtIndex(LONG, t.offset() + r * s[0] + c * colStride);
                if (v < lo || v >= hi) {
                    String at = t.rank() == 2 ? r + ", " + c : Long.toString(r);
                    throw new IllegalArgumentException(op + ": " + name + "[" + at + "] = " + v + " is outside [" + lo
                            + ", " + hi + ")");
                }
            }
        }
    }

    /** The rows of a matrix, with their dtype and strides, read as floats or doubles and written back. */
    private static final class Rows {
        final MemorySegment segment;
        final DType type;
        final long offset;
        final long rowStride;
        final long colStride;

        Rows(Tensor t) {
            segment = t.storage().segment();
            type = t.dtype();
            offset = t.offset();
            rowStride = t.strides()[0];
            colStride = t.strides()[1];
        }

        /** F32 with unit stride: readable in place. */
        boolean inPlace() {
            return type == DType.F32 && colStride == 1;
        }

        long byteOffset(long row) {
            return (offset + row * rowStride) * Float.BYTES;
        }

        void floats(long row, int n, MemorySegment dst) {
            Staging.toFloats(segment, type, offset + row * rowStride, colStride, n, dst);
        }

        void doubles(long row, int n, double[] dst) {
            Staging.toDoubles(segment, type, offset + row * rowStride, colStride, n, dst);
        }

        void write(long row, int n, MemorySegment src) {
            Staging.fromFloats(src, segment, type, offset + row * rowStride, colStride, n);
        }

        void write(long row, int n, double[] src) {
            Staging.fromDoubles(src, segment, type, offset + row * rowStride, colStride, n);
        }
    }
}
