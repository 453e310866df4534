package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.ValuesIndices;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Gradient cases of the reductions, the ops along a dim and matmul. max, min, topk and sort get
 * pairwise distinct values (at least 0.06 apart), so no tie sits within a step of any input.
 */
final class ReductionGradCases {
    private ReductionGradCases() {}

    /** A reduction over a set of dims with keepdim. */
    private interface Reduction {
        Tensor apply(Tensor x, int[] dims, boolean keepdim);
    }

    /** An op along one dim. */
    private interface AlongDim {
        Tensor apply(Tensor x, int dim);
    }

    static void addTo(Map<Op, GradCaseMaker> makers) {
        reduction(makers, Op.SUM, Tensor::sum, false);
        reduction(makers, Op.MAX, Tensor::max, true);
        reduction(makers, Op.MIN, Tensor::min, true);
        reduction(makers, Op.LOGSUMEXP, Tensor::logsumexp, false);
        reduction(makers, Op.MEAN, Tensor::mean, false);
        makers.put(Op.VAR, ReductionGradCases::var);

        alongDim(makers, Op.SOFTMAX, Tensor::softmax);
        alongDim(makers, Op.LOG_SOFTMAX, Tensor::logSoftmax);
        alongDim(makers, Op.CUMSUM, Tensor::cumsum);
        makers.put(Op.TOPK, ReductionGradCases::topk);
        makers.put(Op.SORT, ReductionGradCases::sort);

        makers.put(Op.MATMUL, ReductionGradCases::matmul);
    }

    /** Over a random set of dims (none: all of them), keepdim or not. */
    private static void reduction(Map<Op, GradCaseMaker> makers, Op op, Reduction f, boolean distinct) {
        makers.put(op, d -> {
            long[] shape = d.shape(0, 3);
            long n = GradLayout.numel(shape);
            GradInput x = d.input("x", shape, distinct ? d.distinct(n) : d.uniform(n, -3, 3));
            int[] dims = d.someDims(shape.length);
            boolean keepdim = d.coin();
            return d.done(op, "dims=" + Arrays.toString(dims) + ", keepdim=" + keepdim, List.of(x),
                    (in, device) -> List.of(f.apply(in.get(0), dims, keepdim)));
        });
    }

    /** A composite: the sum of squared deviations from the mean, divided by n - correction (kept positive). */
    private static GradCase var(Draw d) {
        long[] shape = d.shape(0, 3);
        GradInput x = d.input("x", shape, d.uniform(GradLayout.numel(shape), -3, 3));
        int[] dims = d.someDims(shape.length);
        long count = 1;
        for (int dim = 0; dim < shape.length; dim++) {
            int candidate = dim;
            if (dims.length == 0 || Arrays.stream(dims).anyMatch(reduced -> reduced == candidate)) {
                count *= shape[dim];
            }
        }
        int correction = count > 1 ? d.between(0, 1) : 0;
        boolean keepdim = d.coin();
        return d.done(Op.VAR, "dims=" + Arrays.toString(dims) + ", correction=" + correction + ", keepdim=" + keepdim,
                List.of(x), (in, device) -> List.of(in.get(0).var(dims, correction, keepdim)));
    }

    private static void alongDim(Map<Op, GradCaseMaker> makers, Op op, AlongDim f) {
        makers.put(op, d -> {
            long[] shape = d.shape(1, 3);
            GradInput x = d.input("x", shape, d.uniform(GradLayout.numel(shape), -3, 3));
            int dim = d.dim(shape.length);
            return d.done(op, "dim=" + dim, List.of(x), (in, device) -> List.of(f.apply(in.get(0), dim)));
        });
    }

    /** The k largest or smallest along a dim, k from 1 to the dim's size; outputs values and indices. */
    private static GradCase topk(Draw d) {
        long[] shape = d.shape(1, 3);
        GradInput x = d.input("x", shape, d.distinct(GradLayout.numel(shape)));
        int dim = d.dim(shape.length);
        int k = d.between(1, (int) shape[Math.floorMod(dim, shape.length)]);
        boolean largest = d.coin();
        return d.done(Op.TOPK, "k=" + k + ", dim=" + dim + ", largest=" + largest, List.of(x), (in, device) -> {
            ValuesIndices top = in.get(0).topk(k, dim, largest);
            return List.of(top.values(), top.indices());
        });
    }

    /** A composite: a topk of the whole dim. */
    private static GradCase sort(Draw d) {
        long[] shape = d.shape(1, 3);
        GradInput x = d.input("x", shape, d.distinct(GradLayout.numel(shape)));
        int dim = d.dim(shape.length);
        boolean descending = d.coin();
        return d.done(Op.SORT, "dim=" + dim + ", descending=" + descending, List.of(x), (in, device) -> {
            ValuesIndices sorted = in.get(0).sort(dim, descending);
            return List.of(sorted.values(), sorted.indices());
        });
    }

    /**
     * Vectors on either side (promoted and demoted), matrices, and batches of 0 to 2 dims that
     * broadcast against each other; one in six cases has a constant operand.
     */
    private static GradCase matmul(Draw d) {
        int kind = d.between(0, 4);
        int most = kind == 4 ? 3 : 5; // batched products keep every operand near 60 elements
        long m = d.between(1, most);
        long k = d.between(1, most);
        long n = d.between(1, most);
        long[] batch = d.shape(0, 2, 3, 6);
        long[] shapeA = switch (kind) {
            case 0, 1 -> new long[] {k};
            case 2, 3 -> new long[] {m, k};
            default -> withTail(d.broadcastPartner(batch), m, k);
        };
        long[] shapeB = switch (kind) {
            case 0, 2 -> new long[] {k};
            case 1, 3 -> new long[] {k, n};
            default -> withTail(d.coin() ? batch : d.broadcastPartner(batch), k, n);
        };
        int constant = d.oneIn(6) ? d.between(0, 1) : -1;
        GradInput a = operand(d, "a", shapeA, constant != 0);
        GradInput b = operand(d, "b", shapeB, constant != 1);
        return d.done(Op.MATMUL, "", List.of(a, b), (in, device) -> List.of(in.get(0).matmul(in.get(1))));
    }

    private static GradInput operand(Draw d, String name, long[] shape, boolean requiresGrad) {
        double[] values = d.uniform(GradLayout.numel(shape), -2, 2);
        return requiresGrad ? d.input(name, shape, values) : d.constant(name, shape, values);
    }

    private static long[] withTail(long[] batch, long rows, long columns) {
        long[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = rows;
        shape[batch.length + 1] = columns;
        return shape;
    }
}
