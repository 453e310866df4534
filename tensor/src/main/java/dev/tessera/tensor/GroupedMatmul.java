package dev.tessera.tensor;

import java.util.List;

/**
 * The grouped matmul's front end: expert e's rows of xp times W_e^T, one product per expert, and
 * the weight-gradient kernel. Checks the counts against xp's rows (reading the E counts back),
 * hands the backend the weights as transposed views, and records xp and every weight as inputs.
 */
final class GroupedMatmul {
    private static final String FORWARD = Op.GROUPED_MATMUL.opName();
    private static final String WEIGHT_GRAD = Op.GROUPED_MATMUL_WEIGHT_GRAD.opName();

    private GroupedMatmul() {}

    /** [M, Out]: rows of expert e times W_e^T, weights [Out, In] each. */
    static Tensor forward(Tensor xp, Tensor counts, List<Tensor> weights) {
        checkRows(FORWARD, xp, "xp [M, In]", counts);
        if (weights.size() != counts.shape()[0]) {
            throw new IllegalArgumentException(FORWARD + ": " + weights.size() + " weights for " + counts.shape()[0]
                    + " experts (counts " + Shape.str(counts.shape()) + "); pass one [Out, In] weight per expert");
        }
        long in = xp.shape()[1];
        long out = weights.get(0).rank() == 2 ? weights.get(0).shape()[0] : -1;
        Tensor[] transposed = new Tensor[weights.size()];
        Tensor[] inputs = new Tensor[weights.size() + 1];
        inputs[0] = xp;
        for (int e = 0; e < transposed.length; e++) {
            Tensor w = weights.get(e);
            if (w.rank() != 2 || w.shape()[1] != in || w.shape()[0] != out) {
                throw new IllegalArgumentException(FORWARD + ": weight " + e + " must be [Out, In] = [" + out + ", " + in
                        + "] (Out from weight 0, In from xp " + Shape.str(xp.shape()) + "), got " + Shape.str(w.shape()));
            }
            Checks.sameDtype(FORWARD, xp, w);
            Checks.sameDevice(FORWARD, xp, w);
            transposed[e] = transposedView(w);
            inputs[e + 1] = w;
        }
        Tensor result = xp.emptyLike(xp.dtype(), xp.shape()[0], out);
        xp.device().backend().groupedMatmul(xp, counts, transposed, result);
        Recording.record(Op.GROUPED_MATMUL, new OpArgs.Grouped(counts), inputs, result);
        return result;
    }

    /** dW_e = gradOut_e^T xp_e, [Out, In] each, zeros for an expert with no rows; not recorded. */
    static Tensor[] weightGrad(Tensor gradOut, Tensor xp, Tensor counts) {
        checkRows(WEIGHT_GRAD, xp, "xp [M, In]", counts);
        Checks.floating(WEIGHT_GRAD, gradOut);
        Checks.rank(WEIGHT_GRAD, gradOut, 2, "gradOut [M, Out]");
        if (gradOut.shape()[0] != xp.shape()[0]) {
            throw new IllegalArgumentException(WEIGHT_GRAD + ": gradOut [M, Out] and xp [M, In] need the same rows, got "
                    + Shape.str(gradOut.shape()) + " and " + Shape.str(xp.shape()));
        }
        Checks.sameDtype(WEIGHT_GRAD, xp, gradOut);
        Checks.sameDevice(WEIGHT_GRAD, xp, gradOut);
        Tensor[] grads = new Tensor[Math.toIntExact(counts.shape()[0])];
        for (int e = 0; e < grads.length; e++) {
            grads[e] = xp.emptyLike(xp.dtype(), gradOut.shape()[1], xp.shape()[1]);
        }
        xp.device().backend().groupedMatmulWeightGrad(gradOut, xp, counts, grads);
        return grads;
    }

    /** xp a floating matrix; counts I64 [E], E >= 1, on xp's device, non-negative and summing to xp's rows. */
    private static void checkRows(String op, Tensor xp, String what, Tensor counts) {
        Checks.floating(op, xp);
        Checks.rank(op, xp, 2, what);
        if (counts.dtype() != DType.I64 || counts.rank() != 1 || counts.shape()[0] < 1) {
            throw new IllegalArgumentException(op + ": counts must be I64 [E] with E >= 1, got " + counts.dtype() + " "
                    + Shape.str(counts.shape()));
        }
        Checks.sameDevice(op, xp, counts);
        long sum = 0;
        for (long c : counts.toLongArray()) {
            if (c < 0) {
                throw new IllegalArgumentException(op + ": counts must be >= 0, got " + c);
            }
            sum += c;
        }
        if (sum != xp.shape()[0]) {
            throw new IllegalArgumentException(op + ": counts sum to " + sum + " rows, xp has " + xp.shape()[0]
                    + " (shape " + Shape.str(xp.shape()) + ")");
        }
    }

    /** w^T as a view that is not recorded: the backend reads it, autograd sees w. */
    private static Tensor transposedView(Tensor w) {
        long[] s = w.strides();
        return new Tensor(w.storage(), w.dtype(), new long[] {w.shape()[1], w.shape()[0]}, new long[] {s[1], s[0]},
                w.offset(), w.device());
    }
}
