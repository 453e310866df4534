package dev.tessera.tensor;

/**
 * The front end of attention and its gradient kernel: checks the arguments (naming the op, the
 * shapes and dtypes), broadcasts the mask to {@code [B, H, Nq, Nk]}, allocates the outputs and
 * calls the backend. The forward is recorded with both outputs (out and the log-sum-exp the
 * gradient rebuilds the probabilities from); the gradient kernel is not recorded.
 */
final class FusedAttention {
    private FusedAttention() {}

    /** The checked sizes: batch, query heads, kv heads, query and key lengths, head dims of q/k and of v. */
    private record Sizes(long batch, long heads, long kvHeads, long queries, long keys, long headDim, long valueDim) {
        long[] out() {
            return new long[] {batch, heads, queries, valueDim};
        }

        long[] lse() {
            return new long[] {batch, heads, queries};
        }

        long[] scores() {
            return new long[] {batch, heads, queries, keys};
        }
    }

    static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, boolean causal) {
        String op = Op.ATTENTION.opName();
        Sizes sizes = check(op, q, k, v, mask, scale);
        Tensor fullMask = mask == null ? null : mask.expand(sizes.scores());
        Tensor out = q.emptyLike(q.dtype(), sizes.out());
        Tensor lse = q.emptyLike(statisticsType(q.dtype()), sizes.lse());
        q.device().backend().attention(q, k, v, fullMask, scale, causal, out, lse);
        Tensor[] inputs = mask == null ? new Tensor[] {q, k, v} : new Tensor[] {q, k, v, fullMask};
        Recording.record(Op.ATTENTION, new OpArgs.Attention(scale, causal), inputs, out, lse);
        return out;
    }

    static Tensor[] attentionBackward(Tensor gradOut, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out, Tensor lse,
            double scale, boolean causal) {
        String op = Op.ATTENTION_BACKWARD.opName();
        Sizes sizes = check(op, q, k, v, mask, scale);
        Checks.sameDevice(op, q, gradOut, out, lse);
        Checks.sameDtype(op, q, gradOut);
        Checks.sameDtype(op, q, out);
        expectShape(op, "gradOut", gradOut, sizes.out());
        expectShape(op, "out", out, sizes.out());
        expectShape(op, "lse", lse, sizes.lse());
        if (lse.dtype() != statisticsType(q.dtype())) {
            throw new IllegalArgumentException(op + ": lse must be " + statisticsType(q.dtype()) + " for " + q.dtype()
                    + " inputs, got " + lse.dtype() + " " + Shape.str(lse.shape()));
        }
        Tensor fullMask = mask == null ? null : mask.expand(sizes.scores());
        Tensor gradQ = q.emptyLike(q.dtype(), q.shape());
        Tensor gradK = q.emptyLike(q.dtype(), k.shape());
        Tensor gradV = q.emptyLike(q.dtype(), v.shape());
        q.device().backend().attentionBackward(gradOut, q, k, v, fullMask, out, lse, scale, causal, gradQ, gradK, gradV);
        return new Tensor[] {gradQ, gradK, gradV};
    }

    /** The dtype of the saved log-sum-exp: F64 for F64 inputs, F32 otherwise. */
    private static DType statisticsType(DType input) {
        return input == DType.F64 ? DType.F64 : DType.F32;
    }

    private static Sizes check(String op, Tensor q, Tensor k, Tensor v, Tensor mask, double scale) {
        Checks.floating(op, q);
        Checks.sameDtype(op, q, k);
        Checks.sameDtype(op, q, v);
        Checks.sameDevice(op, q, k, v);
        Checks.rank(op, q, 4, "q [batch, heads, queries, head_dim]");
        Checks.rank(op, k, 4, "k [batch, kv_heads, keys, head_dim]");
        Checks.rank(op, v, 4, "v [batch, kv_heads, keys, value_dim]");
        long[] qs = q.shape();
        long[] ks = k.shape();
        long[] vs = v.shape();
        String all = "q " + Shape.str(qs) + ", k " + Shape.str(ks) + ", v " + Shape.str(vs);
        if (qs[0] != ks[0] || qs[0] != vs[0]) {
            throw new IllegalArgumentException(op + ": batch sizes differ (" + all + ")");
        }
        if (ks[1] != vs[1]) {
            throw new IllegalArgumentException(op + ": k and v have different numbers of kv heads (" + all + ")");
        }
        if (ks[2] != vs[2]) {
            throw new IllegalArgumentException(op + ": k and v have different numbers of keys (" + all + ")");
        }
        if (qs[3] != ks[3]) {
            throw new IllegalArgumentException(op + ": q and k have different head dims (" + all + ")");
        }
        boolean divides = ks[1] > 0 ? qs[1] % ks[1] == 0 : qs[1] == 0;
        if (!divides) {
            throw new IllegalArgumentException(op + ": the " + ks[1] + " kv heads must divide the " + qs[1]
                    + " query heads (" + all + ")");
        }
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException(op + ": scale must be finite, got " + scale);
        }
        Sizes sizes = new Sizes(qs[0], qs[1], ks[1], qs[2], ks[2], qs[3], vs[3]);
        if (mask != null) {
            checkMask(op, mask, q, sizes);
        }
        return sizes;
    }

    private static void checkMask(String op, Tensor mask, Tensor q, Sizes sizes) {
        Checks.sameDevice(op, q, mask);
        Checks.sameDtype(op, q, mask);
        long[] target = sizes.scores();
        long[] ms = mask.shape();
        boolean broadcasts = ms.length <= target.length;
        for (int i = 0; broadcasts && i < ms.length; i++) {
            long want = target[target.length - ms.length + i];
            broadcasts = ms[i] == want || ms[i] == 1;
        }
        if (!broadcasts) {
            throw new IllegalArgumentException(op + ": mask of shape " + Shape.str(ms) + " does not broadcast to the scores' "
                    + Shape.str(target) + " [batch, heads, queries, keys]");
        }
        if (mask.requiresGrad()) {
            throw new IllegalArgumentException(op + ": the mask " + Shape.str(ms) + " requires grad, but attention gives"
                    + " it no gradient; pass mask.detach()");
        }
    }

    private static void expectShape(String op, String name, Tensor t, long[] expected) {
        if (!java.util.Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(op + ": " + name + " must have shape " + Shape.str(expected) + ", got "
                    + Shape.str(t.shape()));
        }
    }
}
