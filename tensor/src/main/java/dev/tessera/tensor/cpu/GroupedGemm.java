package dev.tessera.tensor.cpu;

import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The grouped matmul and its weight gradient: one {@link Gemm#product} per expert on its segment of
 * rows, read in place (strided operands, no copies), each product split over the threads as a plain
 * matmul is. An expert with no rows launches nothing (its weight gradient is zero-filled).
 */
final class GroupedGemm {
    private GroupedGemm() {}

    /** Rows of expert e of out = its rows of x times weights[e] ([In, Out] views). */
    static void forward(Tensor x, Tensor counts, Tensor[] weights, Tensor out) {
        long[] rows = counts.toLongArray();
        long in = x.shape()[1];
        long width = out.shape()[1];
        MemorySegment c = out.storage().segment();
        long first = 0;
        for (int e = 0; e < rows.length; e++) {
            if (rows[e] > 0) {
                Gemm.product(rowsOf(x, first, false), GemmOperand.of(weights[e]), 1, rows[e], width, in, c,
                        out.offset() + first * width, out.dtype());
            }
            first += rows[e];
        }
    }

    /** gradWeights[e] = (expert e's rows of gradOut)^T times its rows of x. */
    static void weightGrad(Tensor gradOut, Tensor x, Tensor counts, Tensor[] gradWeights) {
        long[] rows = counts.toLongArray();
        long width = gradOut.shape()[1];
        long in = x.shape()[1];
        long first = 0;
        for (int e = 0; e < rows.length; e++) {
            Tensor g = gradWeights[e];
            Gemm.product(rowsOf(gradOut, first, true), rowsOf(x, first, false), 1, width, in, rows[e],
                    g.storage().segment(), g.offset(), g.dtype());
            first += rows[e];
        }
    }

    /** The matrix t[first.., :] in place, or its transpose. */
    private static GemmOperand rowsOf(Tensor t, long first, boolean transposed) {
        long[] s = t.strides();
        long[] none = new long[0];
        return new GemmOperand(t.storage().segment(), t.dtype(), t.offset() + first * s[0], none, none,
                transposed ? s[1] : s[0], transposed ? s[0] : s[1]);
    }
}
