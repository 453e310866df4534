package dev.tessera.tensor;

/**
 * Ops driven by integer indices. Shapes are checked here; index VALUES are checked by the
 * backends as they read them (checking them here would cost a pass over the indices).
 */
final class Indexing {
    private Indexing() {}

    static Tensor gather(Tensor x, int dim, Tensor index) {
        Checks.sameDevice("gather", x, index);
        Checks.index("gather", index);
        int d = Shape.dim("gather", dim, x.shape());
        Checks.rank("gather", index, x.rank(), "index (rank of the input)");
        for (int i = 0; i < x.rank(); i++) {
            if (i != d && index.shape()[i] > x.shape()[i]) {
                throw new IllegalArgumentException("gather: index of shape " + Shape.str(index.shape())
                        + " is larger than the input " + Shape.str(x.shape()) + " in dim " + i);
            }
        }
        Tensor out = x.emptyLike(x.dtype(), index.shape());
        x.device().backend().gather(x, d, index, out);
        return Recording.record(Op.GATHER, new OpArgs.Indexed(d, index), out, x);
    }

    /** A copy of x with {@code src[i][j][k]} added at {@code [i][index[i][j][k]][k]} (dim 1); src is cut to index's shape. */
    static Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        Checks.sameDevice("scatter_add", x, index, src);
        Checks.index("scatter_add", index);
        Checks.sameDtype("scatter_add", x, src);
        int d = Shape.dim("scatter_add", dim, x.shape());
        Checks.rank("scatter_add", index, x.rank(), "index (rank of the input)");
        Checks.rank("scatter_add", src, x.rank(), "src (rank of the input)");
        Tensor cut = src;
        for (int i = 0; i < x.rank(); i++) {
            long size = index.shape()[i];
            if (size > src.shape()[i] || (i != d && size > x.shape()[i])) {
                throw new IllegalArgumentException("scatter_add: index of shape " + Shape.str(index.shape())
                        + " is larger than src " + Shape.str(src.shape()) + " or the input " + Shape.str(x.shape())
                        + " in dim " + i);
            }
            cut = cut.narrow(i, 0, size);
        }
        Tensor out = unrecordedCopy(x);
        x.device().backend().scatterAdd(cut, d, index, out);
        return Recording.record(Op.SCATTER_ADD, new OpArgs.Indexed(d, index), out, x, cut);
    }

    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        Checks.sameDevice("index_select", x, index);
        Checks.index("index_select", index);
        Checks.rank("index_select", index, 1, "index");
        int d = Shape.dim("index_select", dim, x.shape());
        long[] shape = x.shape();
        shape[d] = index.shape()[0];
        Tensor out = x.emptyLike(x.dtype(), shape);
        x.device().backend().indexSelect(x, d, index, out);
        return Recording.record(Op.INDEX_SELECT, new OpArgs.Indexed(d, index), out, x);
    }

    /** A copy of x with {@code src.select(dim, i)} added to {@code x.select(dim, index[i])}. */
    static Tensor indexAdd(Tensor x, int dim, Tensor index, Tensor src) {
        Checks.sameDevice("index_add", x, index, src);
        Checks.index("index_add", index);
        Checks.rank("index_add", index, 1, "index");
        Checks.sameDtype("index_add", x, src);
        int d = Shape.dim("index_add", dim, x.shape());
        long[] expected = x.shape();
        expected[d] = index.shape()[0];
        if (!java.util.Arrays.equals(expected, src.shape())) {
            throw new IllegalArgumentException("index_add: src must have shape " + Shape.str(expected) + " (the input "
                    + Shape.str(x.shape()) + " with dim " + d + " of the index's length), got " + Shape.str(src.shape()));
        }
        Tensor out = unrecordedCopy(x);
        x.device().backend().indexAdd(src, d, index, out);
        return Recording.record(Op.INDEX_ADD, new OpArgs.Indexed(d, index), out, x, src);
    }

    /** A copy the op then adds into: the op records itself as a whole, so the copy is not recorded. */
    private static Tensor unrecordedCopy(Tensor x) {
        Tensor out = x.emptyLike(x.dtype(), x.shape());
        x.device().backend().copy(x, out);
        return out;
    }

    /** I64 one-hot rows: shape {@code indices.shape + [classes]}. */
    static Tensor oneHot(Tensor indices, long classes) {
        Checks.index("one_hot", indices);
        if (classes <= 0) {
            throw new IllegalArgumentException("one_hot: the number of classes must be positive, got " + classes);
        }
        if (indices.numel() > 0) {
            long low = (long) indices.min().item();
            long high = (long) indices.max().item();
            if (low < 0 || high >= classes) {
                throw new IllegalArgumentException("one_hot: indices must lie in [0, " + classes + "), found values in ["
                        + low + ", " + high + "] in a tensor of shape " + Shape.str(indices.shape()));
            }
        }
        Tensor classIds = Tensor.arange(classes).to(indices.dtype()).to(indices.device());
        return indices.unsqueeze(-1).eq(classIds).to(DType.I64);
    }

    /** Rows of {@code weight} ([vocab, dim]) picked by integer {@code ids} of any shape: {@code ids.shape + [dim]}. */
    static Tensor embedding(Tensor weight, Tensor ids) {
        Checks.rank("embedding", weight, 2, "the weight");
        Checks.index("embedding", ids);
        Checks.sameDevice("embedding", weight, ids);
        long[] shape = Views.with(ids.shape(), ids.rank(), weight.shape()[1]);
        try {
            return indexSelect(weight, 0, ids.reshape(-1)).view(shape);
        } catch (IllegalArgumentException badId) {
            // The backend finds ids out of range as it reads them; say which op the user called.
            throw new IllegalArgumentException("embedding: " + badId.getMessage(), badId);
        }
    }
}
