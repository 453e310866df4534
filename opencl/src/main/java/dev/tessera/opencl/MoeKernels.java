package dev.tessera.opencl;

import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * MoE dispatch: plan, permute, unpermute and its backward (moe.cl). Index values are range-checked
 * on the device first (IndexChecks: one sync, which the contract needs since a bad value throws
 * before anything is written), with the reference's messages. The plan is a stable counting sort
 * in blocks (no atomics); the gathers give every output element one owner, which sums in a fixed
 * order (ascending k per token; a fixed tree per dot product).
 */
final class MoeKernels {
    private static final String FAMILY = "moe";
    /** Assignments per plan block: PLAN_BLOCK in moe.cl. */
    private static final long PLAN_BLOCK = 256;
    /** Work items per gradient-weight dot product: DOT_GROUP in moe.cl. */
    private static final long DOT_GROUP = 64;
    /** Work items along a row in the row kernels: a multiple of ROW_GROUP, at most ROW_ITEMS. */
    private static final long ROW_GROUP = 64;
    private static final long ROW_ITEMS = 256;

    private final ClRuntime runtime;
    private final IndexChecks checks;

    MoeKernels(ClRuntime runtime) {
        this.runtime = runtime;
        this.checks = new IndexChecks(runtime);
    }

    void moePlan(Tensor expertIds, long capacity, Tensor counts, Tensor order, Tensor position) {
        long topK = expertIds.shape()[1];
        int experts = (int) counts.shape()[0];
        IndexChecks.Outside bad = checks.firstOutside(expertIds, 0, experts);
        if (bad != null) {
            throw new IllegalArgumentException("moe_plan: expert id " + bad.value() + " at [" + bad.at() / topK + ", "
                    + bad.at() % topK + "] is outside [0, " + experts + ")");
        }
        KernelLayout l = KernelLayout.of(expertIds.shape(), expertIds);
        long assignments = l.numel();
        if (assignments > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("moe_plan: opencl plans at most 2^31 - 1 assignments, got " + assignments);
        }
        long blocks = (assignments + PLAN_BLOCK - 1) / PLAN_BLOCK;
        // Zeroed: an expert absent from a block has a count of 0 there.
        ClBuffer hist = runtime.pool.allocate(Math.max(1, blocks * experts) * Integer.BYTES, true);
        ClBuffer rank = runtime.pool.allocate(Math.max(1, assignments) * Integer.BYTES, false);
        ClBuffer starts = runtime.pool.allocate((experts + 1L) * Long.BYTES, false);
        String options = ClTypes.operand("IDS", expertIds.dtype());
        if (assignments > 0) {
            launch(options, "plan_ranks").buffer(expertIds).struct(l.view(0)).struct(l.shape()).i32(experts)
                    .buffer(rank).buffer(hist)
                    .run1d(blocks * PLAN_BLOCK, PLAN_BLOCK);
        }
        launch(options, "plan_scan").buffer(hist).i64(blocks).i32(experts).i64(capacity)
                .buffer(counts).i64(counts.offset())
                .run1d(experts, ROW_GROUP);
        launch(options, "plan_starts").buffer(counts).i64(counts.offset()).i32(experts).buffer(starts)
                .run1d(1, 1);
        if (assignments > 0) {
            launch(options, "plan_place").buffer(expertIds).struct(l.view(0)).struct(l.shape()).i32(experts)
                    .i64(capacity).buffer(rank).buffer(hist).buffer(starts)
                    .buffer(order).i64(order.offset()).buffer(position).i64(position.offset())
                    .run1d(Grid.items(assignments), Grid.GROUP);
        }
    }

    void moePermute(Tensor x, Tensor order, int topK, Tensor out) {
        long rows = out.shape()[0];
        long assignments = x.shape()[0] * topK;
        IndexChecks.Outside bad = checks.firstOutside(order.detach().narrow(0, 0, rows), 0, assignments);
        if (bad != null) {
            throw new IllegalArgumentException("moe_permute: order[" + bad.at() + "] = " + bad.value()
                    + " is outside [0, " + assignments + ") for " + x.shape()[0] + " tokens of " + topK + " slots");
        }
        long width = out.shape()[1];
        if (rows == 0 || width == 0) {
            return;
        }
        Launch launch = launch(ClTypes.operand("X", x.dtype()), "permute")
                .buffer(x).struct(matrix(x)).buffer(order).struct(matrix(order)).i64(topK)
                .buffer(out).i64(out.offset()).i64(width);
        runRows(launch, rows, width, ROW_GROUP);
    }

    void moeUnpermute(Tensor yp, Tensor position, Tensor weights, Tensor out) {
        checkPositions("moe_unpermute", position, yp.shape()[0]);
        long tokens = out.shape()[0];
        long width = out.shape()[1];
        if (tokens == 0 || width == 0) {
            return;
        }
        Launch launch = launch(ClTypes.operand("Y", yp.dtype()), "unpermute")
                .buffer(yp).struct(matrix(yp)).buffer(position).struct(matrix(position))
                .buffer(weights).struct(matrix(weights)).i64(position.shape()[1])
                .buffer(out).i64(out.offset()).i64(width);
        runRows(launch, tokens, width, ROW_GROUP);
    }

    void moeUnpermuteBackward(Tensor gradOut, Tensor yp, Tensor order, Tensor position, Tensor weights, Tensor gradYp, Tensor gradWeights) {
        long topK = position.shape()[1];
        long assignments = position.shape()[0] * topK;
        long rows = gradYp.shape()[0];
        IndexChecks.Outside bad = checks.firstOutside(order.detach().narrow(0, 0, rows), 0, assignments);
        if (bad != null) {
            throw new IllegalArgumentException("moe_unpermute_backward: order[" + bad.at() + "] = " + bad.value()
                    + " is outside [0, " + assignments + ")");
        }
        checkPositions("moe_unpermute_backward", position, yp.shape()[0]);
        long width = yp.shape()[1];
        String options = ClTypes.operand("Y", yp.dtype());
        if (rows > 0 && width > 0) {
            Launch launch = launch(options, "unpermute_backward_rows")
                    .buffer(gradOut).struct(matrix(gradOut)).buffer(order).struct(matrix(order))
                    .buffer(weights).struct(matrix(weights)).i64(topK)
                    .buffer(gradYp).i64(gradYp.offset()).i64(width);
            runRows(launch, rows, width, ROW_GROUP);
        }
        if (assignments > 0) {
            launch(options, "unpermute_backward_weights")
                    .buffer(gradOut).struct(matrix(gradOut)).buffer(yp).struct(matrix(yp))
                    .buffer(position).struct(matrix(position)).i64(topK)
                    .buffer(gradWeights).i64(gradWeights.offset()).i64(width)
                    .run(new long[] {DOT_GROUP, assignments}, new long[] {DOT_GROUP, 1});
        }
    }

    /** Every position in [-1, rows), else the reference's message naming {@code op} and the slot. */
    private void checkPositions(String op, Tensor position, long rows) {
        IndexChecks.Outside bad = checks.firstOutside(position, -1, rows);
        if (bad != null) {
            long topK = position.shape()[1];
            throw new IllegalArgumentException(op + ": position[" + bad.at() / topK + ", " + bad.at() % topK + "] = "
                    + bad.value() + " is outside [-1, " + rows + ")");
        }
    }

    /** Enqueues a row kernel: dim 1 over the rows, dim 0 along a row in groups of {@code group}. */
    private static void runRows(Launch launch, long rows, long width, long group) {
        long along = Math.min(ROW_ITEMS, (width + group - 1) / group * group);
        launch.run(new long[] {along, rows}, new long[] {group, 1});
    }

    /** The matrix_t of moe.cl for a 2-D view, or a 1-D one as a column. */
    private static MemorySegment matrix(Tensor t) {
        long[] strides = t.strides();
        return MemorySegment.ofArray(new long[] {t.offset(), strides[0], strides.length > 1 ? strides[1] : 0});
    }

    private Launch launch(String options, String kernel) {
        return new Launch(runtime, FAMILY, options, kernel);
    }
}
