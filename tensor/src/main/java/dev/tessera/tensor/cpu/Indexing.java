package dev.tessera.tensor.cpu;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * gather, scatterAdd, indexSelect and indexAdd. Index tensors may be I64 or I32; every index is
 * checked before anything is written, so a bad index leaves the output untouched and the error
 * names the op, the index and the size. The adds are deterministic: each output element receives
 * its contributions in increasing linear order of src, because work is split only along dims
 * whose elements never meet in the same output element.
 */
final class Indexing {
    private Indexing() {}

    // ---------------------------------------------------------------- gather, scatterAdd

    /** {@code out[i][j][k] = x[i][index[i][j][k]][k]} for dim 1; out has index's shape. */
    static void gather(Tensor x, int dim, Tensor index, Tensor out) {
        long size = x.shape()[dim];
        checkIndices("gather", index, size);
        long[] xStrides = x.strides();
        long dimStride = xStrides[dim];
        xStrides[dim] = 0;
        StridedRuns runs = new StridedRuns(index.shape(), new long[][] {xStrides, index.strides(), out.strides()},
                new long[] {x.offset(), index.offset(), out.offset()});
        MemorySegment xs = x.storage().segment();
        MemorySegment os = out.storage().segment();
        int bytes = x.dtype().byteSize();
        Parallel.forRange(runs.numel(), Elementwise.GRAIN, (start, end) -> {
            long[] idx = Scratch.get().longs(0, Scratch.BLOCK);
            StridedRuns.Cursor c = runs.cursor(start, end);
            while (c.next()) {
                for (long done = 0; done < c.length(); done += Scratch.BLOCK) {
                    int m = (int) Math.min(Scratch.BLOCK, c.length() - done);
                    Staging.toLongs(index.storage().segment(), index.dtype(), c.offset(1) + done * c.stride(1),
                            c.stride(1), m, idx);
                    for (int i = 0; i < m; i++) {
                        long from = c.offset(0) + (done + i) * c.stride(0) + idx[i] * dimStride;
                        Staging.copyElements(xs, from, 1, os, c.offset(2) + (done + i) * c.stride(2), 1, 1, bytes);
                    }
                }
            }
        });
    }

    /** {@code out[i][index[i][j][k]][k] += src[i][j][k]} for dim 1, over every element of index (src's shape). */
    static void scatterAdd(Tensor src, int dim, Tensor index, Tensor out) {
        long size = out.shape()[dim];
        checkIndices("scatter_add", index, size);
        long[] shape = index.shape();
        if (Shape.numel(shape) == 0) {
            return;
        }
        long[] outStrides = out.strides();
        long dimStride = outStrides[dim];
        outStrides[dim] = 0;
        // Elements that differ along any dim but `dim` never meet in one output element: split along one of those.
        int split = shape.length > 1 ? (dim == 0 ? 1 : 0) : -1;
        long splitSize = split < 0 ? 1 : shape[split];
        long perSlice = Shape.numel(shape) / splitSize;
        long[][] strides = {src.strides(), index.strides(), outStrides};
        long[] offsets = {src.offset(), index.offset(), out.offset()};
        Parallel.forRange(splitSize, Math.max(1, Elementwise.GRAIN / perSlice), (start, end) -> {
            long[] part = shape.clone();
            long[] at = offsets.clone();
            if (split >= 0) {
                part[split] = end - start;
                for (int k = 0; k < 3; k++) {
                    at[k] += start * strides[k][split];
                }
            }
            StridedRuns runs = new StridedRuns(part, strides, at);
            StridedRuns.Cursor c = runs.cursor(0, runs.numel());
            long[] idx = Scratch.get().longs(0, Scratch.BLOCK);
            while (c.next()) {
                for (long done = 0; done < c.length(); done += Scratch.BLOCK) {
                    int m = (int) Math.min(Scratch.BLOCK, c.length() - done);
                    Staging.toLongs(index.storage().segment(), index.dtype(), c.offset(1) + done * c.stride(1),
                            c.stride(1), m, idx);
                    scatterRun(src, c.offset(0) + done * c.stride(0), c.stride(0), out,
                            c.offset(2) + done * c.stride(2), c.stride(2), idx, dimStride, m);
                }
            }
        });
    }

    /** {@code out[outAt + i*outStride + idx[i]*dimStride] += src[srcAt + i*srcStride]}, in order of i. */
    private static void scatterRun(Tensor src, long srcAt, long srcStride, Tensor out, long outAt, long outStride,
            long[] idx, long dimStride, int n) {
        MemorySegment s = src.storage().segment();
        MemorySegment o = out.storage().segment();
        DType st = src.dtype();
        DType ot = out.dtype();
        if (st == DType.F32 && ot == DType.F32) {
            for (int i = 0; i < n; i++) {
                long to = (outAt + i * outStride + idx[i] * dimStride) * 4;
                o.set(Staging.FLOAT, to, o.get(Staging.FLOAT, to) + s.get(Staging.FLOAT, (srcAt + i * srcStride) * 4));
            }
        } else if (ot.isFloating()) {
            for (int i = 0; i < n; i++) {
                long to = outAt + i * outStride + idx[i] * dimStride;
                ot.write(o, to, addIn(ot, ot.read(o, to), st.read(s, srcAt + i * srcStride)));
            }
        } else {
            for (int i = 0; i < n; i++) {
                long to = outAt + i * outStride + idx[i] * dimStride;
                ot.writeLong(o, to, ot.readLong(o, to) + st.readLong(s, srcAt + i * srcStride));
            }
        }
    }

    /** The sum of two values of a float dtype, computed as that dtype's kernels compute: float for F32/BF16/F16. */
    private static double addIn(DType t, double a, double b) {
        return t == DType.F64 ? a + b : (double) ((float) a + (float) b);
    }

    // ---------------------------------------------------------------- indexSelect, indexAdd

    /** {@code out.select(dim, i) = x.select(dim, index[i])}; index is 1-D. */
    static void indexSelect(Tensor x, int dim, Tensor index, Tensor out) {
        long[] idx = readIndices("index_select", index, x.shape()[dim]);
        Slices slices = new Slices(x, out, dim);
        MemorySegment xs = x.storage().segment();
        MemorySegment os = out.storage().segment();
        int bytes = x.dtype().byteSize();
        long xDim = x.strides()[dim];
        long oDim = out.strides()[dim];
        Parallel.forRange(idx.length, Math.max(1, Elementwise.GRAIN / Math.max(1, slices.runs.numel())), (start, end) -> {
            for (long i = start; i < end; i++) {
                long xBase = x.offset() + idx[(int) i] * xDim;
                long oBase = out.offset() + i * oDim;
                StridedRuns.Cursor c = slices.runs.cursor(0, slices.runs.numel());
                while (c.next()) {
                    Staging.copyElements(xs, xBase + c.offset(0), c.stride(0), os, oBase + c.offset(1), c.stride(1),
                            c.length(), bytes);
                }
            }
        });
    }

    /**
     * {@code out.select(dim, index[i]) += src.select(dim, i)}; index is 1-D. Split over positions
     * within a slice, so each output element still receives its adds in increasing i.
     */
    static void indexAdd(Tensor src, int dim, Tensor index, Tensor out) {
        long[] idx = readIndices("index_add", index, out.shape()[dim]);
        Slices slices = new Slices(src, out, dim);
        long perSlice = slices.runs.numel();
        long sDim = src.strides()[dim];
        long oDim = out.strides()[dim];
        Parallel.forRange(perSlice, Math.max(1, Elementwise.GRAIN / Math.max(1, idx.length)), (start, end) -> {
            for (int i = 0; i < idx.length; i++) {
                long sBase = src.offset() + i * sDim;
                long oBase = out.offset() + idx[i] * oDim;
                StridedRuns.Cursor c = slices.runs.cursor(start, end);
                while (c.next()) {
                    addRun(src, sBase + c.offset(0), c.stride(0), out, oBase + c.offset(1), c.stride(1), c.length());
                }
            }
        });
    }

    /** {@code out[...] += src[...]} over one run; contiguous F32 runs use the vector add in place. */
    private static void addRun(Tensor src, long sAt, long sStride, Tensor out, long oAt, long oStride, long n) {
        MemorySegment s = src.storage().segment();
        MemorySegment o = out.storage().segment();
        DType st = src.dtype();
        DType ot = out.dtype();
        if (st == DType.F32 && ot == DType.F32) {
            if (sStride == 1 && oStride == 1) {
                FloatKernels.binary(Op.ADD, o, oAt * 4, s, sAt * 4, o, oAt * 4, n);
                return;
            }
            for (long i = 0; i < n; i++) {
                long to = (oAt + i * oStride) * 4;
                o.set(Staging.FLOAT, to, o.get(Staging.FLOAT, to) + s.get(Staging.FLOAT, (sAt + i * sStride) * 4));
            }
        } else if (ot.isFloating()) {
            for (long i = 0; i < n; i++) {
                long to = oAt + i * oStride;
                ot.write(o, to, addIn(ot, ot.read(o, to), st.read(s, sAt + i * sStride)));
            }
        } else {
            for (long i = 0; i < n; i++) {
                long to = oAt + i * oStride;
                ot.writeLong(o, to, ot.readLong(o, to) + st.readLong(s, sAt + i * sStride));
            }
        }
    }

    /** The walk over one slice {@code t.select(dim, i)} of two tensors, offsets relative to the slice start. */
    private static final class Slices {
        final StridedRuns runs;

        Slices(Tensor a, Tensor b, int dim) {
            runs = new StridedRuns(without(b.shape(), dim), new long[][] {without(a.strides(), dim), without(b.strides(), dim)},
                    new long[] {0, 0});
        }

        private static long[] without(long[] v, int dim) {
            long[] r = new long[v.length - 1];
            for (int d = 0, j = 0; d < v.length; d++) {
                if (d != dim) {
                    r[j++] = v[d];
                }
            }
            return r;
        }
    }

    // ---------------------------------------------------------------- index checks

    /** The 1-D index as longs, every entry checked against {@code size}. */
    private static long[] readIndices(String op, Tensor index, long size) {
        long[] idx = new long[(int) index.numel()];
        if (idx.length > 0) {
            Staging.toLongs(index.storage().segment(), index.dtype(), index.offset(),
                    index.rank() == 0 ? 0 : index.strides()[0], idx.length, idx);
        }
        for (long i : idx) {
            check(op, i, size);
        }
        return idx;
    }

    /** Checks every entry of an index of any shape against {@code size}. */
    private static void checkIndices(String op, Tensor index, long size) {
        StridedRuns runs = new StridedRuns(index.shape(), new long[][] {index.strides()}, new long[] {index.offset()});
        long[] idx = Scratch.get().longs(0, Scratch.BLOCK);
        StridedRuns.Cursor c = runs.cursor(0, runs.numel());
        while (c.next()) {
            for (long done = 0; done < c.length(); done += Scratch.BLOCK) {
                int m = (int) Math.min(Scratch.BLOCK, c.length() - done);
                Staging.toLongs(index.storage().segment(), index.dtype(), c.offset(0) + done * c.stride(0), c.stride(0), m, idx);
                for (int i = 0; i < m; i++) {
                    check(op, idx[i], size);
                }
            }
        }
    }

    private static void check(String op, long i, long size) {
        if (i < 0 || i >= size) {
            throw new IllegalArgumentException(op + ": index " + i + " is out of range for a dim of size " + size);
        }
    }
}
