package dev.tessera.tensor;

import java.util.Arrays;

/** matmul with NumPy's rules: 1-D operands are promoted and demoted, batch dims broadcast. */
final class LinearAlgebra {
    private LinearAlgebra() {}

    static Tensor matmul(Tensor a, Tensor b) {
        Checks.sameDevice("matmul", a, b);
        Checks.sameDtype("matmul", a, b);
        Checks.floating("matmul", a);
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least 1 dim, got shapes "
                    + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        }
        Tensor left = a.rank() == 1 ? a.unsqueeze(0) : a;
        Tensor right = b.rank() == 1 ? b.unsqueeze(1) : b;
        long[] ls = left.shape();
        long[] rs = right.shape();
        long m = ls[ls.length - 2];
        long k = ls[ls.length - 1];
        long n = rs[rs.length - 1];
        if (rs[rs.length - 2] != k) {
            throw new IllegalArgumentException("matmul: shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape())
                    + " cannot be multiplied (" + k + " != " + rs[rs.length - 2] + ")");
        }
        long[] batch = Shape.broadcast("matmul", Arrays.copyOf(ls, ls.length - 2), Arrays.copyOf(rs, rs.length - 2));
        Tensor out = a.emptyLike(a.dtype(), withTail(batch, m, n));
        Tensor lhs = left.expand(withTail(batch, m, k));
        Tensor rhs = right.expand(withTail(batch, k, n));
        a.device().backend().matmul(lhs, rhs, out);
        Tensor result = Recording.record(Op.MATMUL, OpArgs.NONE, out, lhs, rhs);
        if (b.rank() == 1) {
            result = result.squeeze(-1);
        }
        if (a.rank() == 1) {
            result = result.squeeze(-2 + (b.rank() == 1 ? 1 : 0));
        }
        return result;
    }

    private static long[] withTail(long[] batch, long rows, long cols) {
        long[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = rows;
        shape[batch.length + 1] = cols;
        return shape;
    }
}
