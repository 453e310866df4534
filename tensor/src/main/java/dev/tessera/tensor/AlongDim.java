package dev.tessera.tensor;

/** Ops that work along one dim: softmax, log_softmax, cumsum, topk and the sorts built on it. */
final class AlongDim {
    private AlongDim() {}

    static Tensor softmax(Op op, Tensor x, int dim) {
        Checks.floating(op.opName(), x);
        int d = Shape.dim(op.opName(), dim, x.shape());
        Tensor out = x.emptyLike(x.dtype(), x.shape());
        x.device().backend().softmax(op, x, d, out);
        return Recording.record(op, new OpArgs.Dim(d), out, x);
    }

    /** Integer and BOOL inputs sum into I64, as in PyTorch. */
    static Tensor cumsum(Tensor x, int dim) {
        int d = Shape.dim("cumsum", dim, x.shape());
        Tensor input = x.dtype().isFloating() ? x : x.to(DType.I64);
        Tensor out = x.emptyLike(input.dtype(), x.shape());
        x.device().backend().cumsum(input, d, out);
        return Recording.record(Op.CUMSUM, new OpArgs.Dim(d), out, input);
    }

    static ValuesIndices topk(Tensor x, int k, int dim, boolean largest) {
        return select("topk", x, k, dim, largest);
    }

    /** A stable sort: equal values keep their order (the lower index first); {@code op} is sort or argsort. */
    static ValuesIndices sort(String op, Tensor x, int dim, boolean descending) {
        int d = Shape.dim(op, dim, x.shape());
        return select(op, x, (int) x.shape()[d], d, descending);
    }

    /** The k best entries along dim, best first, through the backend's topk; errors name {@code op}. */
    private static ValuesIndices select(String op, Tensor x, int k, int dim, boolean largest) {
        Checks.numeric(op, x);
        int d = Shape.dim(op, dim, x.shape());
        if (k < 0 || k > x.shape()[d]) {
            throw new IllegalArgumentException(op + ": k = " + k + " is out of range for dim " + d + " of shape "
                    + Shape.str(x.shape()) + " (expected 0 <= k <= " + x.shape()[d] + ")");
        }
        long[] shape = x.shape();
        shape[d] = k;
        Tensor values = x.emptyLike(x.dtype(), shape);
        Tensor indices = x.emptyLike(DType.I64, shape);
        x.device().backend().topk(x, d, k, largest, values, indices);
        Recording.record(Op.TOPK, new OpArgs.Dim(d), new Tensor[] {x}, values, indices);
        return new ValuesIndices(values, indices);
    }
}
