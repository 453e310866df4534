package dev.tessera.opencl;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;

/**
 * gather, scatter_add, index_select and index_add (indexing.cl). Every index value is checked on
 * the device first (IndexChecks, one sync), so a bad index throws the reference's message and
 * leaves the output untouched. The gathers are one raw copy per output element; the adds give
 * each output element one owner that adds its terms in the reference's order (no atomics).
 */
final class IndexKernels {
    private static final String FAMILY = "indexing";
    /** Work items the adds aim for: below it, targets are split among several items per column. */
    private static final long ADD_ITEMS = 1 << 14;

    private final ClRuntime runtime;
    private final IndexChecks checks;

    IndexKernels(ClRuntime runtime) {
        this.runtime = runtime;
        this.checks = new IndexChecks(runtime);
    }

    void gather(Tensor x, int dim, Tensor index, Tensor out) {
        check(Op.GATHER, index, dim, x.shape()[dim]);
        if (out.numel() == 0) {
            return;
        }
        // x over index's shape with the gathered dim stepping 0: the kernel adds index * stride.
        Tensor base = x.detach();
        long[] shape = index.shape();
        for (int d = 0; d < shape.length; d++) {
            base = base.narrow(d, 0, d == dim ? 1 : shape[d]);
        }
        take(base.expand(shape), x.strides()[dim], index, out);
    }

    void indexSelect(Tensor x, int dim, Tensor index, Tensor out) {
        check(Op.INDEX_SELECT, index, dim, x.shape()[dim]);
        if (out.numel() == 0) {
            return;
        }
        long[] shape = out.shape();
        Tensor base = x.detach().narrow(dim, 0, 1).expand(shape);
        // The 1-D index as a view of out's shape that steps along dim only.
        Tensor spread = index.detach();
        for (int d = 0; d < dim; d++) {
            spread = spread.unsqueeze(0);
        }
        while (spread.rank() < shape.length) {
            spread = spread.unsqueeze(spread.rank());
        }
        take(base, x.strides()[dim], spread.expand(shape), out);
    }

    void scatterAdd(Tensor src, int dim, Tensor index, Tensor out) {
        check(Op.SCATTER_ADD, index, dim, out.shape()[dim]);
        if (index.numel() == 0) {
            return;
        }
        // Columns: index's shape without dim; src has index's shape, out is read at index's columns.
        accumulate(src.detach().select(dim, 0), src.strides()[dim], index.detach().select(dim, 0), index.strides()[dim],
                out.detach().select(dim, 0), out.strides()[dim], without(index.shape(), dim), index.shape()[dim],
                out.shape()[dim]);
    }

    void indexAdd(Tensor src, int dim, Tensor index, Tensor out) {
        check(Op.INDEX_ADD, index, dim, out.shape()[dim]);
        long[] columns = without(out.shape(), dim);
        if (index.numel() == 0 || Shape.numel(columns) == 0) {
            return;
        }
        // Columns: positions within a slice; the index is the same for every column (stride 0).
        Tensor spread = index.detach().select(0, 0).expand(columns);
        accumulate(src.detach().select(dim, 0), src.strides()[dim], spread, index.strides()[0],
                out.detach().select(dim, 0), out.strides()[dim], columns, index.shape()[0], out.shape()[dim]);
    }

    /** Every index value in [0, size), else the reference's message naming the op, the value, the dim and its size. */
    private void check(Op op, Tensor index, int dim, long size) {
        IndexChecks.Outside bad = checks.firstOutside(index, 0, size);
        if (bad != null) {
            throw new IllegalArgumentException(op.opName() + ": index " + bad.value() + " is out of range for dim " + dim
                    + " of size " + size);
        }
    }

    /** {@code out[i] = x[base[i] + index[i] * dimStride]} over out's elements; base and index are views of out's shape. */
    private void take(Tensor base, long dimStride, Tensor index, Tensor out) {
        KernelLayout l = KernelLayout.of(out.shape(), base, index, out);
        new Launch(runtime, FAMILY, ClTypes.operand("IDX", index.dtype()) + ClTypes.operand("X", out.dtype()), "take")
                .buffer(base).struct(l.view(0)).i64(dimStride).buffer(index).struct(l.view(1))
                .buffer(out).struct(l.view(2)).struct(l.shape())
                .run1d(Grid.items(l.numel()), Grid.GROUP);
    }

    /**
     * {@code out[c, index[c, j]] += src[c, j]} for each column c of {@code columns} and j in [0, length),
     * in increasing j. The tensors are the views of the first element of each column (j = 0); the
     * dim strides step along j (src, index) and along the targets (out).
     */
    private void accumulate(Tensor src, long srcDimStride, Tensor index, long indexDimStride, Tensor out,
            long outDimStride, long[] columns, long length, long targets) {
        KernelLayout l = KernelLayout.of(columns, src, index, out);
        long groups = Math.clamp((ADD_ITEMS + l.numel() - 1) / l.numel(), 1, targets);
        new Launch(runtime, FAMILY, ClTypes.operand("IDX", index.dtype()) + ClTypes.operand("OUT", out.dtype()),
                "accumulate")
                .buffer(src).struct(l.view(0)).i64(srcDimStride)
                .buffer(index).struct(l.view(1)).i64(indexDimStride)
                .buffer(out).struct(l.view(2)).i64(outDimStride)
                .struct(l.shape()).i64(length).i64(targets).i64(groups)
                .run1d(Grid.items(l.numel() * groups), Grid.GROUP);
    }

    private static long[] without(long[] shape, int dim) {
        long[] r = new long[shape.length - 1];
        for (int d = 0, j = 0; d < shape.length; d++) {
            if (d != dim) {
                r[j++] = shape[d];
            }
        }
        return r;
    }
}
