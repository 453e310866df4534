package dev.tessera.tensor.cpu;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The elementwise ops (unary, binary, comparisons, where, clamp, fill, copy) over any views. The
 * operands are walked together in runs ({@link StridedRuns}); a run whose operands are all
 * contiguous F32 goes straight to the vector loops of {@link FloatKernels}; any other run is staged
 * through per-thread buffers in blocks: BF16 and F16 are computed as floats, F64 as doubles, and
 * integers and BOOL as longs. Work is split across threads by linear element ranges.
 */
final class Elementwise {
    /** Elements per thread below which an op stays on the calling thread. */
    static final long GRAIN = 1 << 15;

    private Elementwise() {}

    /** How a group of dtypes is computed. */
    private enum Family { FLOAT, DOUBLE, LONG }

    private static boolean floatFamily(DType t) {
        return t == DType.F32 || t == DType.BF16 || t == DType.F16;
    }

    /** FLOAT when every type is F32/BF16/F16, LONG when none is floating, DOUBLE otherwise. */
    private static Family family(DType... types) {
        boolean allFloat = true;
        boolean anyFloating = false;
        for (DType t : types) {
            allFloat &= floatFamily(t);
            anyFloating |= t.isFloating();
        }
        return allFloat ? Family.FLOAT : anyFloating ? Family.DOUBLE : Family.LONG;
    }

    // ---------------------------------------------------------------- ops

    static void unary(Op op, Tensor x, Tensor out) {
        DType t = x.dtype();
        Tensor[] in = {x};
        if (floatFamily(t) && floatFamily(out.dtype())) {
            mapFloat(out, DType.F32, in, F32_1, (s, b, n) -> FloatKernels.unary(op, s[0], b[0], s[1], b[1], n));
        } else if (!t.isFloating() && !out.dtype().isFloating() && ScalarKernels.keepsIntegers(op)) {
            mapLong(out, in, (v, o, n) -> ScalarKernels.unary(op, v[0], o, n));
        } else {
            mapDouble(out, in, (v, o, n) -> ScalarKernels.unary(op, v[0], o, n));
        }
    }

    static void binary(Op op, Tensor a, Tensor b, Tensor out) {
        Tensor[] in = {a, b};
        boolean comparison = op.group() == Op.Group.COMPARISON;
        Family f = comparison ? family(a.dtype(), b.dtype()) : family(a.dtype(), b.dtype(), out.dtype());
        switch (f) {
            case FLOAT -> {
                if (comparison) {
                    mapFloat(out, DType.BOOL, in, F32_2,
                            (s, o, n) -> FloatKernels.compare(op, s[0], o[0], s[1], o[1], s[2], o[2], n));
                } else {
                    mapFloat(out, DType.F32, in, F32_2,
                            (s, o, n) -> FloatKernels.binary(op, s[0], o[0], s[1], o[1], s[2], o[2], n));
                }
            }
            case DOUBLE -> mapDouble(out, in, (v, o, n) -> ScalarKernels.binary(op, v[0], v[1], o, n));
            case LONG -> mapLong(out, in, (v, o, n) -> ScalarKernels.binary(op, v[0], v[1], o, n));
        }
    }

    static void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        Tensor[] in = {cond, a, b};
        switch (family(a.dtype(), b.dtype(), out.dtype())) {
            case FLOAT -> mapFloat(out, DType.F32, in, new DType[] {DType.BOOL, DType.F32, DType.F32},
                    (s, o, n) -> FloatKernels.where(s[0], o[0], s[1], o[1], s[2], o[2], s[3], o[3], n));
            case DOUBLE -> mapDouble(out, in, (v, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = v[0][i] != 0 ? v[1][i] : v[2][i];
                }
            });
            case LONG -> mapLong(out, in, (v, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = v[0][i] != 0 ? v[1][i] : v[2][i];
                }
            });
        }
    }

    static void clamp(Tensor x, double lo, double hi, Tensor out) {
        Tensor[] in = {x};
        switch (family(x.dtype(), out.dtype())) {
            case FLOAT -> mapFloat(out, DType.F32, in, F32_1,
                    (s, o, n) -> FloatKernels.clamp(s[0], o[0], (float) lo, (float) hi, s[1], o[1], n));
            case DOUBLE -> mapDouble(out, in, (v, o, n) -> ScalarKernels.clamp(v[0], lo, hi, o, n));
            case LONG -> mapLong(out, in, (v, o, n) -> ScalarKernels.clamp(v[0], lo, hi, o, n));
        }
    }

    /** Sets every element of {@code out} (any layout) to {@code value} converted as {@link DType#write}. */
    static void fill(Tensor out, double value) {
        DType t = out.dtype();
        int bytes = t.byteSize();
        MemorySegment one = MemorySegment.ofArray(new long[1]);
        t.write(one, 0, value);
        long bits = one.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        MemorySegment seg = out.storage().segment();
        StridedRuns runs = new StridedRuns(out.shape(), new long[][] {out.strides()}, new long[] {out.offset()});
        Parallel.forRange(runs.numel(), GRAIN, (start, end) -> {
            StridedRuns.Cursor c = runs.cursor(start, end);
            while (c.next()) {
                long at = c.offset(0);
                long stride = c.stride(0);
                long n = c.length();
                if (t == DType.F32 && stride == 1) {
                    FloatKernels.fill(seg, at * 4, (float) value, n);
                } else {
                    fillBits(seg, at, stride, n, bytes, bits);
                }
            }
        });
    }

    private static void fillBits(MemorySegment seg, long at, long stride, long n, int bytes, long bits) {
        long p = at * bytes;
        long step = stride * bytes;
        switch (bytes) {
            case 1 -> {
                for (long i = 0; i < n; i++, p += step) {
                    seg.set(Staging.BYTE, p, (byte) bits);
                }
            }
            case 2 -> {
                for (long i = 0; i < n; i++, p += step) {
                    seg.set(Staging.SHORT, p, (short) bits);
                }
            }
            case 4 -> {
                for (long i = 0; i < n; i++, p += step) {
                    seg.set(Staging.INT, p, (int) bits);
                }
            }
            default -> {
                for (long i = 0; i < n; i++, p += step) {
                    seg.set(Staging.LONG, p, bits);
                }
            }
        }
    }

    /**
     * Copies {@code x} into {@code out} (same shape, any layouts), converting as a cast does: a float
     * source as {@link DType#write}, an integer or BOOL source as {@link DType#writeLong}.
     */
    static void copy(Tensor x, Tensor out) {
        Tensor[] in = {x};
        if (x.dtype() == out.dtype()) {
            int bytes = x.dtype().byteSize();
            MemorySegment src = x.storage().segment();
            MemorySegment dst = out.storage().segment();
            StridedRuns runs = runsOf(out, in);
            if (Transpose.applies(runs)) {
                Transpose.copy(runs, src, dst, bytes);
                return;
            }
            Parallel.forRange(runs.numel(), GRAIN, (start, end) -> {
                StridedRuns.Cursor c = runs.cursor(start, end);
                while (c.next()) {
                    Staging.copyElements(src, c.offset(0), c.stride(0), dst, c.offset(1), c.stride(1), c.length(), bytes);
                }
            });
            return;
        }
        // Integers travel as longs (DType.writeLong: one rounding into a float type), floats as floats or doubles.
        Family family = x.dtype().isFloating() ? family(x.dtype(), out.dtype()) : Family.LONG;
        switch (family) {
            case FLOAT -> mapFloat(out, DType.F32, in, F32_1, (s, o, n) -> MemorySegment.copy(s[0], o[0], s[1], o[1], n * 4));
            case DOUBLE -> mapDouble(out, in, (v, o, n) -> System.arraycopy(v[0], 0, o, 0, n));
            case LONG -> mapLong(out, in, (v, o, n) -> System.arraycopy(v[0], 0, o, 0, n));
        }
    }

    // ---------------------------------------------------------------- drivers

    private static final DType[] F32_1 = {DType.F32};
    private static final DType[] F32_2 = {DType.F32, DType.F32};

    /** A kernel over contiguous operands: segments and byte offsets of the inputs, then of the output. */
    @FunctionalInterface
    private interface FloatBody {
        void run(MemorySegment[] segments, long[] byteOffsets, long n);
    }

    @FunctionalInterface
    private interface DoubleBody {
        void run(double[][] in, double[] out, int n);
    }

    @FunctionalInterface
    private interface LongBody {
        void run(long[][] in, long[] out, int n);
    }

    private static StridedRuns runsOf(Tensor out, Tensor[] in) {
        long[][] strides = new long[in.length + 1][];
        long[] offsets = new long[in.length + 1];
        for (int k = 0; k < in.length; k++) {
            strides[k] = in[k].strides();
            offsets[k] = in[k].offset();
        }
        strides[in.length] = out.strides();
        offsets[in.length] = out.offset();
        return new StridedRuns(out.shape(), strides, offsets);
    }

    /**
     * Runs a float kernel. {@code kernelTypes} says what the kernel reads for each input (F32, or
     * BOOL bytes) and {@code outType} what it writes; an operand of that type with stride 1 is
     * passed directly, any other is staged (converted) through this thread's scratch.
     */
    private static void mapFloat(Tensor out, DType outType, Tensor[] in, DType[] kernelTypes, FloatBody body) {
        int k = in.length;
        StridedRuns runs = runsOf(out, in);
        MemorySegment[] segs = new MemorySegment[k + 1];
        DType[] types = new DType[k + 1];
        for (int j = 0; j < k; j++) {
            segs[j] = in[j].storage().segment();
            types[j] = in[j].dtype();
        }
        segs[k] = out.storage().segment();
        types[k] = out.dtype();
        Parallel.forRange(runs.numel(), GRAIN, (start, end) -> {
            Scratch scratch = Scratch.get();
            MemorySegment[] s = new MemorySegment[k + 1];
            long[] b = new long[k + 1];
            StridedRuns.Cursor c = runs.cursor(start, end);
            while (c.next()) {
                long len = c.length();
                boolean direct = true;
                for (int j = 0; j <= k; j++) {
                    DType want = j < k ? kernelTypes[j] : outType;
                    direct &= types[j] == want && c.stride(j) == 1;
                }
                if (direct) {
                    for (int j = 0; j <= k; j++) {
                        s[j] = segs[j];
                        b[j] = c.offset(j) * types[j].byteSize();
                    }
                    body.run(s, b, len);
                    continue;
                }
                for (long done = 0; done < len; done += Scratch.BLOCK) {
                    int m = (int) Math.min(Scratch.BLOCK, len - done);
                    for (int j = 0; j <= k; j++) {
                        DType want = j < k ? kernelTypes[j] : outType;
                        long at = c.offset(j) + done * c.stride(j);
                        if (types[j] == want && c.stride(j) == 1) {
                            s[j] = segs[j];
                            b[j] = at * want.byteSize();
                            continue;
                        }
                        s[j] = scratch.floats(j, m);
                        b[j] = 0;
                        if (j == k) {
                            continue;
                        }
                        if (want == DType.BOOL) {
                            Staging.copyElements(segs[j], at, c.stride(j), s[j], 0, 1, m, 1);
                        } else {
                            Staging.toFloats(segs[j], types[j], at, c.stride(j), m, s[j]);
                        }
                    }
                    body.run(s, b, m);
                    if (s[k] != segs[k]) {
                        long at = c.offset(k) + done * c.stride(k);
                        if (outType == DType.BOOL) {
                            Staging.copyElements(s[k], 0, 1, segs[k], at, c.stride(k), m, 1);
                        } else {
                            Staging.fromFloats(s[k], segs[k], types[k], at, c.stride(k), m);
                        }
                    }
                }
            }
        });
    }

    /** Runs a double kernel over every operand staged as doubles; the output is written as {@link DType#write}. */
    private static void mapDouble(Tensor out, Tensor[] in, DoubleBody body) {
        int k = in.length;
        StridedRuns runs = runsOf(out, in);
        Parallel.forRange(runs.numel(), GRAIN, (start, end) -> {
            Scratch scratch = Scratch.get();
            double[][] v = new double[k][];
            StridedRuns.Cursor c = runs.cursor(start, end);
            while (c.next()) {
                long len = c.length();
                for (long done = 0; done < len; done += Scratch.BLOCK) {
                    int m = (int) Math.min(Scratch.BLOCK, len - done);
                    for (int j = 0; j < k; j++) {
                        v[j] = scratch.doubles(j, m);
                        Staging.toDoubles(in[j].storage().segment(), in[j].dtype(), c.offset(j) + done * c.stride(j),
                                c.stride(j), m, v[j]);
                    }
                    double[] o = scratch.doubles(k, m);
                    body.run(v, o, m);
                    Staging.fromDoubles(o, out.storage().segment(), out.dtype(), c.offset(k) + done * c.stride(k),
                            c.stride(k), m);
                }
            }
        });
    }

    /** Runs a long kernel over every operand staged as longs; the output is written as {@link DType#writeLong}. */
    private static void mapLong(Tensor out, Tensor[] in, LongBody body) {
        int k = in.length;
        StridedRuns runs = runsOf(out, in);
        Parallel.forRange(runs.numel(), GRAIN, (start, end) -> {
            Scratch scratch = Scratch.get();
            long[][] v = new long[k][];
            StridedRuns.Cursor c = runs.cursor(start, end);
            while (c.next()) {
                long len = c.length();
                for (long done = 0; done < len; done += Scratch.BLOCK) {
                    int m = (int) Math.min(Scratch.BLOCK, len - done);
                    for (int j = 0; j < k; j++) {
                        v[j] = scratch.longs(j, m);
                        Staging.toLongs(in[j].storage().segment(), in[j].dtype(), c.offset(j) + done * c.stride(j),
                                c.stride(j), m, v[j]);
                    }
                    long[] o = scratch.longs(k, m);
                    body.run(v, o, m);
                    Staging.fromLongs(o, out.storage().segment(), out.dtype(), c.offset(k) + done * c.stride(k),
                            c.stride(k), m);
                }
            }
        });
    }
}
