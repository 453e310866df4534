package dev.tessera.tensor;

/**
 * The MoE dispatch's front end: moe_plan, moe_permute, moe_unpermute and the latter's gradient
 * kernel. Checks the arguments (naming the op, shapes and dtypes), allocates the outputs, runs the
 * backend and records the two differentiable ops with their plan.
 */
final class MoeDispatch {
    private static final String PLAN = Op.MOE_PLAN.opName();
    private static final String PERMUTE = Op.MOE_PERMUTE.opName();
    private static final String UNPERMUTE = Op.MOE_UNPERMUTE.opName();
    private static final String UNPERMUTE_BACKWARD = Op.MOE_UNPERMUTE_BACKWARD.opName();

    private MoeDispatch() {}

    /**
     * The backend writes all T * K slots of order (kept rows first, -1 after); the plan sees the
     * first M = sum(counts) as a view. The counts are read back to size it: E integers.
     */
    static MoePlan plan(Tensor expertIds, int numExperts, long capacity) {
        Checks.index(PLAN, expertIds);
        Checks.rank(PLAN, expertIds, 2, "expertIds [T, K]");
        long tokens = expertIds.shape()[0];
        long topK = expertIds.shape()[1];
        if (topK < 1 || topK > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(PLAN + ": expertIds [T, K] needs 1 <= K <= 2^31 - 1 slots per token, got shape "
                    + Shape.str(expertIds.shape()));
        }
        if (numExperts < 1) {
            throw new IllegalArgumentException(PLAN + ": numExperts must be >= 1, got " + numExperts);
        }
        if (capacity < 0) {
            throw new IllegalArgumentException(PLAN + ": capacity must be >= 0 (Long.MAX_VALUE for dropless), got " + capacity);
        }
        long assignments = tokens * topK;
        Tensor counts = expertIds.emptyLike(DType.I64, numExperts);
        Tensor order = expertIds.emptyLike(DType.I64, assignments);
        Tensor position = expertIds.emptyLike(DType.I64, tokens, topK);
        expertIds.device().backend().moePlan(expertIds, capacity, counts, order, position);
        long kept = 0;
        for (long c : counts.toLongArray()) {
            kept += c;
        }
        Tensor keptOrder = new Tensor(order.storage(), DType.I64, new long[] {kept}, new long[] {1}, order.offset(),
                order.device());
        return new MoePlan(counts, keptOrder, position, (int) topK, assignments - kept);
    }

    /** Row p of the result is x[order[p] / K]: [M, H]. */
    static Tensor permute(Tensor x, MoePlan plan) {
        checkRows(PERMUTE, x, "x [T, H]", plan.tokens(), "T = " + plan.tokens() + " (the plan's tokens)");
        Checks.sameDevice(PERMUTE, x, plan.order());
        Tensor out = x.emptyLike(x.dtype(), plan.rows(), x.shape()[1]);
        x.device().backend().moePermute(x, plan.order(), plan.topK(), out);
        return Recording.record(Op.MOE_PERMUTE, new OpArgs.MoeDispatch(plan), out, x);
    }

    /** y[t] = sum_k w[t, k] yp[position[t, k]], dropped slots skipped: [T, H]. */
    static Tensor unpermute(Tensor yp, MoePlan plan, Tensor weights) {
        checkUnpermute(UNPERMUTE, yp, plan, weights);
        Tensor out = yp.emptyLike(yp.dtype(), plan.tokens(), yp.shape()[1]);
        yp.device().backend().moeUnpermute(yp, plan.position(), weights, out);
        Recording.record(Op.MOE_UNPERMUTE, new OpArgs.MoeDispatch(plan), new Tensor[] {yp, weights}, out);
        return out;
    }

    /** {gradYp, gradWeights} of moe_unpermute from its output's gradient; not recorded. */
    static Tensor[] unpermuteBackward(Tensor gradOut, Tensor yp, MoePlan plan, Tensor weights) {
        checkUnpermute(UNPERMUTE_BACKWARD, yp, plan, weights);
        Checks.sameDevice(UNPERMUTE_BACKWARD, yp, gradOut);
        Checks.sameDtype(UNPERMUTE_BACKWARD, yp, gradOut);
        long[] want = {plan.tokens(), yp.shape()[1]};
        if (!java.util.Arrays.equals(gradOut.shape(), want)) {
            throw new IllegalArgumentException(UNPERMUTE_BACKWARD + ": gradOut must be [T, H] = " + Shape.str(want)
                    + ", got " + Shape.str(gradOut.shape()));
        }
        Tensor gradYp = yp.emptyLike(yp.dtype(), yp.shape());
        Tensor gradWeights = yp.emptyLike(yp.dtype(), weights.shape());
        yp.device().backend().moeUnpermuteBackward(gradOut, yp, plan.order(), plan.position(), weights, gradYp,
                gradWeights);
        return new Tensor[] {gradYp, gradWeights};
    }

    private static void checkUnpermute(String op, Tensor yp, MoePlan plan, Tensor weights) {
        checkRows(op, yp, "yp [M, H]", plan.rows(), "M = " + plan.rows() + " (the plan's permuted rows)");
        Checks.sameDevice(op, yp, weights, plan.position());
        long[] slots = plan.position().shape();
        if (!java.util.Arrays.equals(weights.shape(), slots)) {
            throw new IllegalArgumentException(op + ": weights must be [T, K] = " + Shape.str(slots)
                    + " like the plan's position, got " + Shape.str(weights.shape()));
        }
        Checks.sameDtype(op, yp, weights);
    }

    /** A floating matrix whose first dim is {@code rows}. */
    private static void checkRows(String op, Tensor t, String what, long rows, String why) {
        Checks.floating(op, t);
        Checks.rank(op, t, 2, what);
        if (t.shape()[0] != rows) {
            throw new IllegalArgumentException(op + ": " + what + " must have " + why + " rows, got shape "
                    + Shape.str(t.shape()));
        }
    }
}
