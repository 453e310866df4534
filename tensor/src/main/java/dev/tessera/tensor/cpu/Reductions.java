package dev.tessera.tensor.cpu;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * SUM, MAX, MIN and LOGSUMEXP over any set of dims. The dims split into kept ones (walked over the
 * outputs) and reduced ones (walked for each output), each group coalesced. Three F32 strategies:
 * reduce each output along its runs (reduced dims innermost); reduce rows into a tile of
 * contiguous outputs (kept dims innermost, so whole vectors of outputs advance together); or, for
 * few outputs over many elements, split each output's range over the threads and combine the
 * partials in chunk order. BF16/F16 are staged as floats, F64 reduced in double, integers and BOOL
 * exactly in long (SUM into I64). NaN wins MAX and MIN; LOGSUMEXP is max-shifted, and is -inf for
 * an empty or all -inf set.
 */
final class Reductions {
    /** Rows summed into a tile's partial accumulator before it is folded into the total. */
    private static final int TILE_SUM_BLOCK = 128;

    private Reductions() {}

    /** The kept and reduced dims of one reduction, each coalesced. */
    private record Plan(StridedRuns kept, StridedRuns reduced, long outputs, long perOutput) {
        static Plan of(Tensor x, Tensor out) {
            long[] shape = x.shape();
            long[] xs = x.strides();
            long[] os = out.strides();
            long[] outShape = out.shape();
            int rank = shape.length;
            long[] keptShape = new long[rank];
            long[] keptX = new long[rank];
            long[] keptOut = new long[rank];
            long[] redShape = new long[rank];
            long[] redX = new long[rank];
            int k = 0;
            int r = 0;
            for (int d = 0; d < rank; d++) {
                if (outShape[d] == 1 && shape[d] != 1) {
                    redShape[r] = shape[d];
                    redX[r++] = xs[d];
                } else {
                    keptShape[k] = shape[d];
                    keptX[k] = xs[d];
                    keptOut[k++] = os[d];
                }
            }
            StridedRuns kept = new StridedRuns(Arrays.copyOf(keptShape, k),
                    new long[][] {Arrays.copyOf(keptX, k), Arrays.copyOf(keptOut, k)},
                    new long[] {x.offset(), out.offset()});
            StridedRuns reduced = new StridedRuns(Arrays.copyOf(redShape, r),
                    new long[][] {Arrays.copyOf(redX, r)}, new long[] {0});
            return new Plan(kept, reduced, kept.numel(), reduced.numel());
        }
    }

    static void reduce(Op op, Tensor x, Tensor out) {
        Plan plan = Plan.of(x, out);
        if (plan.outputs == 0) {
            return;
        }
        if (plan.perOutput == 0) {
            switch (op) {
                case SUM -> Elementwise.fill(out, 0);
                case LOGSUMEXP -> Elementwise.fill(out, Double.NEGATIVE_INFINITY);
                default -> throw new IllegalArgumentException(op.opName() + ": cannot reduce an empty set (shape "
                        + Arrays.toString(x.shape()) + ")");
            }
            return;
        }
        DType t = x.dtype();
        if (t == DType.F32 || t == DType.BF16 || t == DType.F16) {
            reduceFloat(op, x, out, plan);
        } else if (t == DType.F64 || op == Op.LOGSUMEXP) {
            perOutput(plan, (xBase, outAt) -> out.dtype().write(out.storage().segment(), outAt,
                    reduceDouble(op, x, plan.reduced, xBase)));
        } else {
            perOutput(plan, (xBase, outAt) -> out.dtype().writeLong(out.storage().segment(), outAt,
                    reduceLong(op, x, plan.reduced, xBase)));
        }
    }

    /** What to do for one output: its x base offset and its own offset in out. */
    @FunctionalInterface
    private interface OutputBody {
        void run(long xBase, long outAt);
    }

    /** Runs {@code body} for every output, outputs split over threads. */
    private static void perOutput(Plan plan, OutputBody body) {
        long grain = Math.max(1, Elementwise.GRAIN / plan.perOutput);
        Parallel.forRange(plan.outputs, grain, (start, end) -> {
            StridedRuns.Cursor c = plan.kept.cursor(start, end);
            while (c.next()) {
                long sx = c.stride(0);
                long so = c.stride(1);
                for (long i = 0; i < c.length(); i++) {
                    body.run(c.offset(0) + i * sx, c.offset(1) + i * so);
                }
            }
        });
    }

    // ---------------------------------------------------------------- float family

    private static void reduceFloat(Op op, Tensor x, Tensor out, Plan plan) {
        boolean keptInner = plan.kept.innerStride(0) == 1 && plan.kept.innerStride(1) == 1;
        boolean reducedInner = plan.reduced.innerStride(0) == 1;
        if (x.dtype() == DType.F32 && out.dtype() == DType.F32 && keptInner && !reducedInner && plan.perOutput > 1
                && plan.kept.innerSize() >= Simd.LANES) {
            tiles(op, x, out, plan);
            return;
        }
        MemorySegment o = out.storage().segment();
        DType ot = out.dtype();
        if (plan.outputs < Parallel.THREADS && plan.perOutput >= 4 * Elementwise.GRAIN) {
            perOutput(new Plan(plan.kept, plan.reduced, plan.outputs, 1),
                    (xBase, outAt) -> ot.write(o, outAt, split(op, x, plan.reduced, xBase)));
        } else {
            perOutput(plan, (xBase, outAt) -> ot.write(o, outAt, reduceRange(op, x, plan.reduced, xBase, 0,
                    plan.perOutput)));
        }
    }

    /** One output over reduced elements {@code [from, to)}: a partial for SUM/MAX/MIN, the result for LOGSUMEXP. */
    private static double reduceRange(Op op, Tensor x, StridedRuns reduced, long xBase, long from, long to) {
        return switch (op) {
            case SUM -> walk(Op.SUM, x, reduced, xBase, from, to, FloatReduceKernels::sum);
            case MAX -> walk(Op.MAX, x, reduced, xBase, from, to, FloatReduceKernels::max);
            case MIN -> walk(Op.MIN, x, reduced, xBase, from, to, FloatReduceKernels::min);
            case LOGSUMEXP -> {
                double m = walk(Op.MAX, x, reduced, xBase, from, to, FloatReduceKernels::max);
                if (Double.isInfinite(m) || Double.isNaN(m)) {
                    yield m;
                }
                float fm = (float) m;
                yield m + Math.log(walk(Op.SUM, x, reduced, xBase, from, to, (s, b, n) -> FloatReduceKernels.sumExp(s, b, n, fm)));
            }
            default -> throw new IllegalArgumentException(op.opName() + ": not a reduction");
        };
    }

    /** One output whose reduced range is split over the threads; partials combine in chunk order. */
    private static double split(Op op, Tensor x, StridedRuns reduced, long xBase) {
        long n = reduced.numel();
        long grain = Elementwise.GRAIN;
        double[] partials = new double[Parallel.chunks(n, grain)];
        Op first = op == Op.LOGSUMEXP ? Op.MAX : op;
        Parallel.forChunks(n, grain, (chunk, s, e) -> partials[chunk] = reduceRange(first, x, reduced, xBase, s, e));
        double m = combineAll(first, partials);
        if (op != Op.LOGSUMEXP) {
            return m;
        }
        if (Double.isInfinite(m) || Double.isNaN(m)) {
            return m;
        }
        float fm = (float) m;
        Parallel.forChunks(n, grain, (chunk, s, e) -> partials[chunk] = walk(Op.SUM, x, reduced, xBase, s, e,
                (seg, b, len) -> FloatReduceKernels.sumExp(seg, b, len, fm)));
        return m + Math.log(combineAll(Op.SUM, partials));
    }

    private static double combineAll(Op op, double[] partials) {
        double acc = identity(op);
        for (double p : partials) {
            acc = combine(op, acc, p);
        }
        return acc;
    }

    private static double identity(Op op) {
        return switch (op) {
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
            default -> 0;
        };
    }

    private static double combine(Op op, double acc, double v) {
        return switch (op) {
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
            default -> acc + v;
        };
    }

    /** A reduction of one contiguous F32 run. */
    @FunctionalInterface
    private interface FloatRun {
        double apply(MemorySegment segment, long byteOffset, long n);
    }

    /** Walks reduced elements {@code [from, to)} of one output, contiguous F32 runs directly, others staged. */
    private static double walk(Op combine, Tensor x, StridedRuns reduced, long xBase, long from, long to, FloatRun f) {
        MemorySegment seg = x.storage().segment();
        DType t = x.dtype();
        double acc = identity(combine);
        StridedRuns.Cursor c = reduced.cursor(from, to);
        MemorySegment buffer = null;
        while (c.next()) {
            long len = c.length();
            long at = xBase + c.offset(0);
            long stride = c.stride(0);
            if (t == DType.F32 && stride == 1) {
                acc = combine(combine, acc, f.apply(seg, at * 4, len));
                continue;
            }
            if (buffer == null) {
                buffer = Scratch.get().floats(0, Scratch.BLOCK);
            }
            for (long done = 0; done < len; done += Scratch.BLOCK) {
                int m = (int) Math.min(Scratch.BLOCK, len - done);
                Staging.toFloats(seg, t, at + done * stride, stride, m, buffer);
                acc = combine(combine, acc, f.apply(buffer, 0, m));
            }
        }
        return acc;
    }

    /**
     * The kept dims are innermost and contiguous in x and out: for a tile of up to BLOCK adjacent
     * outputs, fold every reduced row into a contiguous accumulator with whole vectors.
     */
    private static void tiles(Op op, Tensor x, Tensor out, Plan plan) {
        MemorySegment xs = x.storage().segment();
        MemorySegment os = out.storage().segment();
        long grain = Math.max(1, Elementwise.GRAIN / plan.perOutput);
        Parallel.forRange(plan.outputs, grain, (start, end) -> {
            Scratch scratch = Scratch.get();
            MemorySegment acc = scratch.floats(0, Scratch.BLOCK);
            MemorySegment part = scratch.floats(1, Scratch.BLOCK);
            MemorySegment max = scratch.floats(2, Scratch.BLOCK);
            StridedRuns.Cursor c = plan.kept.cursor(start, end);
            while (c.next()) {
                for (long t = 0; t < c.length(); t += Scratch.BLOCK) {
                    int w = (int) Math.min(Scratch.BLOCK, c.length() - t);
                    long xBase = c.offset(0) + t;
                    long outAt = c.offset(1) + t;
                    switch (op) {
                        case SUM -> sumRows(xs, xBase, plan.reduced, acc, part, null, w);
                        case MAX, MIN -> {
                            FloatKernels.fill(acc, 0, op == Op.MAX ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY, w);
                            foldRows(op, xs, xBase, plan.reduced, acc, w);
                        }
                        case LOGSUMEXP -> {
                            FloatKernels.fill(max, 0, Float.NEGATIVE_INFINITY, w);
                            foldRows(Op.MAX, xs, xBase, plan.reduced, max, w);
                            sumRows(xs, xBase, plan.reduced, acc, part, max, w);
                            for (int i = 0; i < w; i++) {
                                float m = max.getAtIndex(Staging.FLOAT, i);
                                float v = Float.isInfinite(m) || Float.isNaN(m) ? m
                                        : (float) (m + Math.log(acc.getAtIndex(Staging.FLOAT, i)));
                                acc.setAtIndex(Staging.FLOAT, i, v);
                            }
                        }
                        default -> throw new IllegalArgumentException(op.opName() + ": not a reduction");
                    }
                    MemorySegment.copy(acc, 0, os, outAt * 4, w * 4L);
                }
            }
        });
    }

    /** {@code acc[0..w) = op over rows}, rows at {@code xBase + reduced offsets}. */
    private static void foldRows(Op op, MemorySegment xs, long xBase, StridedRuns reduced, MemorySegment acc, int w) {
        StridedRuns.Cursor r = reduced.cursor(0, reduced.numel());
        while (r.next()) {
            for (long i = 0; i < r.length(); i++) {
                long row = (xBase + r.offset(0) + i * r.stride(0)) * 4;
                if (op == Op.MAX) {
                    FloatReduceKernels.maxRow(acc, 0, xs, row, w);
                } else {
                    FloatReduceKernels.minRow(acc, 0, xs, row, w);
                }
            }
        }
    }

    /**
     * {@code acc[0..w) = sum over rows} (of exp(row - max) when {@code max} is given), in blocks of
     * {@link #TILE_SUM_BLOCK} rows so that no serial float chain is longer than that.
     */
    private static void sumRows(MemorySegment xs, long xBase, StridedRuns reduced, MemorySegment acc,
            MemorySegment part, MemorySegment max, int w) {
        FloatKernels.fill(acc, 0, 0f, w);
        FloatKernels.fill(part, 0, 0f, w);
        int rows = 0;
        StridedRuns.Cursor r = reduced.cursor(0, reduced.numel());
        while (r.next()) {
            for (long i = 0; i < r.length(); i++) {
                long row = (xBase + r.offset(0) + i * r.stride(0)) * 4;
                if (max == null) {
                    FloatReduceKernels.addRow(part, 0, xs, row, w);
                } else {
                    FloatReduceKernels.addExpRow(part, 0, xs, row, max, 0, w);
                }
                if (++rows == TILE_SUM_BLOCK) {
                    FloatReduceKernels.addRow(acc, 0, part, 0, w);
                    FloatKernels.fill(part, 0, 0f, w);
                    rows = 0;
                }
            }
        }
        FloatReduceKernels.addRow(acc, 0, part, 0, w);
    }

    // ---------------------------------------------------------------- double and long families

    /** One output in double: F64, and LOGSUMEXP of integers. */
    private static double reduceDouble(Op op, Tensor x, StridedRuns reduced, long xBase) {
        if (op == Op.LOGSUMEXP) {
            double m = foldDouble(Op.MAX, x, reduced, xBase, 0);
            if (Double.isInfinite(m) || Double.isNaN(m)) {
                return m;
            }
            return m + Math.log(foldDouble(Op.LOGSUMEXP, x, reduced, xBase, m));
        }
        return foldDouble(op, x, reduced, xBase, 0);
    }

    /** SUM, MAX or MIN in double; LOGSUMEXP here means the sum of exp(x - shift). */
    private static double foldDouble(Op op, Tensor x, StridedRuns reduced, long xBase, double shift) {
        double[] v = Scratch.get().doubles(0, Scratch.BLOCK);
        double acc = identity(op);
        StridedRuns.Cursor c = reduced.cursor(0, reduced.numel());
        while (c.next()) {
            for (long done = 0; done < c.length(); done += Scratch.BLOCK) {
                int m = (int) Math.min(Scratch.BLOCK, c.length() - done);
                Staging.toDoubles(x.storage().segment(), x.dtype(), xBase + c.offset(0) + done * c.stride(0),
                        c.stride(0), m, v);
                switch (op) {
                    case MAX -> { for (int i = 0; i < m; i++) acc = Math.max(acc, v[i]); }
                    case MIN -> { for (int i = 0; i < m; i++) acc = Math.min(acc, v[i]); }
                    case LOGSUMEXP -> { for (int i = 0; i < m; i++) acc += Math.exp(v[i] - shift); }
                    default -> { for (int i = 0; i < m; i++) acc += v[i]; }
                }
            }
        }
        return acc;
    }

    /** One output of integers or BOOL, exactly: SUM wraps as I64 does, MAX and MIN compare as longs. */
    private static long reduceLong(Op op, Tensor x, StridedRuns reduced, long xBase) {
        long[] v = Scratch.get().longs(0, Scratch.BLOCK);
        long acc = switch (op) {
            case MAX -> Long.MIN_VALUE;
            case MIN -> Long.MAX_VALUE;
            default -> 0;
        };
        StridedRuns.Cursor c = reduced.cursor(0, reduced.numel());
        while (c.next()) {
            for (long done = 0; done < c.length(); done += Scratch.BLOCK) {
                int m = (int) Math.min(Scratch.BLOCK, c.length() - done);
                Staging.toLongs(x.storage().segment(), x.dtype(), xBase + c.offset(0) + done * c.stride(0),
                        c.stride(0), m, v);
                switch (op) {
                    case MAX -> { for (int i = 0; i < m; i++) acc = Math.max(acc, v[i]); }
                    case MIN -> { for (int i = 0; i < m; i++) acc = Math.min(acc, v[i]); }
                    default -> { for (int i = 0; i < m; i++) acc += v[i]; }
                }
            }
        }
        return acc;
    }
}
