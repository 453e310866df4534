package dev.tessera.moe;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The sort-based expert dispatch (REFERENCE §2.3, §3.1), with the names and meanings of the
 * {@code Fused.moe*} catalog ops of MOE.md, built here from existing tensor ops until those land:
 * then each body becomes the one Fused call. Every sum over a token's slots is a gather in
 * ascending k, so results are deterministic and need no atomics.
 */
final class ExpertDispatch {
    private ExpertDispatch() {}

    /**
     * Where each (token, slot) assignment goes, as {@code Fused.moePlan} returns it.
     *
     * @param counts I64 [E]: rows each expert keeps (at most the capacity)
     * @param order I64 [M]: the assignment a = t*K + k of each permuted row; rows grouped by
     *     expert, in token order within an expert
     * @param position I64 [T, K]: the permuted row of each assignment, -1 if dropped
     * @param topK K
     * @param dropped the assignments the capacity dropped (the latest tokens of an overfull expert)
     */
    record MoePlan(Tensor counts, Tensor order, Tensor position, int topK, long dropped) {}

    /** A stable counting sort of the assignments by expert, keeping at most {@code capacity} per expert. Not differentiable. */
    static MoePlan moePlan(Tensor expertIds, int numExperts, long capacity) {
        if (expertIds.rank() != 2) {
            throw new IllegalArgumentException("moePlan: expert ids must be [T, K], got rank " + expertIds.rank());
        }
        int topK = Math.toIntExact(expertIds.size(1));
        long[] ids = expertIds.toLongArray();
        long[] routed = new long[numExperts];
        for (long id : ids) {
            if (id < 0 || id >= numExperts) {
                throw new IllegalArgumentException("moePlan: expert id " + id + " is outside [0, " + numExperts + ")");
            }
            routed[(int) id]++;
        }
        long[] counts = new long[numExperts];
        long[] start = new long[numExperts];
        long kept = 0;
        for (int e = 0; e < numExperts; e++) {
            counts[e] = Math.min(routed[e], capacity);
            start[e] = kept;
            kept += counts[e];
        }
        long[] order = new long[Math.toIntExact(kept)];
        long[] position = new long[ids.length];
        long[] filled = new long[numExperts];
        for (int a = 0; a < ids.length; a++) { // token order: the earliest tokens keep their place
            int e = (int) ids[a];
            if (filled[e] < counts[e]) {
                long row = start[e] + filled[e]++;
                order[(int) row] = a;
                position[a] = row;
            } else {
                position[a] = -1;
            }
        }
        Device device = expertIds.device();
        return new MoePlan(Tensor.of(counts, numExperts).to(device), Tensor.of(order, order.length).to(device),
                Tensor.of(position, expertIds.shape()).to(device), topK, ids.length - kept);
    }

    /** [M, H]: row p is x[order[p] / K]. Differentiable w.r.t. x. */
    static Tensor moePermute(Tensor x, MoePlan plan) {
        long[] order = plan.order().toLongArray();
        long[] tokens = new long[order.length];
        for (int p = 0; p < order.length; p++) {
            tokens[p] = order[p] / plan.topK();
        }
        return x.indexSelect(0, Tensor.of(tokens, tokens.length).to(x.device()));
    }

    /**
     * [M, Out]: expert e's contiguous rows of {@code xp} times W_e^T. Differentiable w.r.t. xp and
     * every W_e; an expert with no rows multiplies an empty slice, so its gradient is an exact zero.
     */
    static Tensor groupedMatmul(Tensor xp, Tensor counts, List<Tensor> weights) {
        long[] rows = counts.toLongArray();
        if (rows.length != weights.size()) {
            throw new IllegalArgumentException("groupedMatmul: " + rows.length + " counts for " + weights.size() + " weights");
        }
        List<Tensor> parts = new ArrayList<>(rows.length);
        long start = 0;
        for (int e = 0; e < rows.length; e++) {
            parts.add(xp.narrow(0, start, rows[e]).matmul(weights.get(e).t()));
            start += rows[e];
        }
        return Tensor.cat(parts, 0);
    }

    /**
     * [T, H] in the weights' dtype (the F32 accumulator of REFERENCE §1.4): y[t] = sum over k,
     * ascending, of w[t, k] * yp[position[t, k]], dropped slots skipped. Differentiable w.r.t. yp and the weights. Dropped slots read an appended zero row, so they add
     * nothing and their weights get a zero gradient.
     */
    static Tensor moeUnpermute(Tensor yp, MoePlan plan, Tensor weights) {
        long rows = yp.size(0);
        long hidden = yp.size(1);
        long tokens = plan.position().size(0);
        long[] position = plan.position().toLongArray();
        for (int a = 0; a < position.length; a++) {
            if (position[a] < 0) {
                position[a] = rows;
            }
        }
        Tensor padded = Tensor.cat(List.of(yp, Tensor.zeros(yp.dtype(), 1, hidden).to(yp.device())), 0);
        Tensor picked = padded.indexSelect(0, Tensor.of(position, position.length).to(yp.device()));
        Tensor weighted = picked.to(weights.dtype()).mul(weights.reshape(position.length, 1));
        return weighted.view(tokens, plan.topK(), hidden).sum(1);
    }
}
