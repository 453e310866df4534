package dev.tessera.tensor;

import java.util.Arrays;

/** Reductions over a set of dims with keepdim: the shape rules, then the backend. */
final class Reductions {
    private Reductions() {}

    /** The dims to reduce, normalised; no dims means all of them. */
    static boolean[] reducedDims(String op, Tensor x, int[] dims) {
        boolean[] reduced = new boolean[x.rank()];
        if (dims.length == 0) {
            Arrays.fill(reduced, true);
            return reduced;
        }
        for (int dim : dims) {
            int d = Shape.dim(op, dim, x.shape());
            if (reduced[d]) {
                throw new IllegalArgumentException(op + ": dim " + d + " appears twice in " + Arrays.toString(dims));
            }
            reduced[d] = true;
        }
        return reduced;
    }

    static long[] keptShape(long[] shape, boolean[] reduced) {
        long[] kept = shape.clone();
        for (int d = 0; d < kept.length; d++) {
            if (reduced[d]) {
                kept[d] = 1;
            }
        }
        return kept;
    }

    static long[] droppedShape(long[] shape, boolean[] reduced) {
        long[] out = new long[shape.length];
        int j = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) {
                out[j++] = shape[d];
            }
        }
        return Arrays.copyOf(out, j);
    }

    /** The number of elements each output element reduces over. */
    static long count(long[] shape, boolean[] reduced) {
        long n = 1;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d]) {
                n *= shape[d];
            }
        }
        return n;
    }

    static Tensor reduce(Op op, Tensor x, int[] dims, boolean keepdim) {
        String name = op.opName();
        boolean[] reduced = reducedDims(name, x, dims);
        switch (op) {
            case SUM -> { }
            case LOGSUMEXP -> Checks.floating(name, x);
            case MAX, MIN -> {
                if (count(x.shape(), reduced) == 0 && Shape.numel(keptShape(x.shape(), reduced)) > 0) {
                    throw new IllegalArgumentException(name + ": cannot reduce over an empty dim of shape "
                            + Shape.str(x.shape()) + " (there is no identity for " + name + ")");
                }
            }
            default -> throw new IllegalArgumentException(name + " is not a primitive reduction");
        }
        DType type = op == Op.SUM && !x.dtype().isFloating() ? DType.I64 : x.dtype();
        long[] kept = keptShape(x.shape(), reduced);
        Tensor out = x.emptyLike(type, kept);
        x.device().backend().reduce(op, x, out);
        Recording.record(op, OpArgs.NONE, out, x);
        return keepdim ? out : out.view(droppedShape(x.shape(), reduced));
    }

    static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        Checks.floating("mean", x);
        boolean[] reduced = reducedDims("mean", x, dims);
        Tensor sum = reduce(Op.SUM, x, dims, keepdim);
        return sum.div(Elementwise.scalarLike(sum, count(x.shape(), reduced)));
    }

    /** The variance with Bessel's correction {@code correction} (1: unbiased, 0: population). */
    static Tensor var(Tensor x, int[] dims, int correction, boolean keepdim) {
        Checks.floating("var", x);
        if (correction < 0) {
            throw new IllegalArgumentException("var: correction must be non-negative, got " + correction);
        }
        boolean[] reduced = reducedDims("var", x, dims);
        Tensor centred = x.sub(mean(x, dims, true));
        Tensor squares = reduce(Op.SUM, centred.square(), dims, keepdim);
        long n = count(x.shape(), reduced);
        return squares.div(Elementwise.scalarLike(squares, Math.max(0, n - correction)));
    }

    static Tensor argReduce(Op op, Tensor x, int dim, boolean keepdim) {
        String name = op.opName();
        Checks.numeric(name, x);
        int d = Shape.dim(name, dim, x.shape());
        if (x.shape()[d] == 0) {
            throw new IllegalArgumentException(name + ": cannot take " + name + " over an empty dim " + d
                    + " of shape " + Shape.str(x.shape()));
        }
        boolean[] reduced = new boolean[x.rank()];
        reduced[d] = true;
        Tensor out = x.emptyLike(DType.I64, keptShape(x.shape(), reduced));
        x.device().backend().argReduce(op, x, d, out);
        Recording.record(op, new OpArgs.Dim(d), out, x);
        return keepdim ? out : out.view(droppedShape(x.shape(), reduced));
    }

    /** ARGMAX / ARGMIN over all elements, as an index into the flattened tensor. */
    static Tensor argReduceAll(Op op, Tensor x) {
        if (x.numel() == 0) {
            throw new IllegalArgumentException(op.opName() + ": cannot take " + op.opName() + " of an empty tensor of shape "
                    + Shape.str(x.shape()));
        }
        return argReduce(op, x.reshape(-1), 0, false);
    }
}
