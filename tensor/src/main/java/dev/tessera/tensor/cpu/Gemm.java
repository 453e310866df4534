package dev.tessera.tensor.cpu;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Matrix multiplication on the CPU: {@code out[..., m, n] = sum_k a[..., m, k] * b[..., k, n]}.
 * Straightforward strided loops with float (or double for F64) accumulation; to be replaced by
 * the packed, blocked, vectorised GEMM.
 */
public final class Gemm {
    private Gemm() {}

    public static void matmul(Tensor a, Tensor b, Tensor out) {
        long[] shape = out.shape();
        int rank = shape.length;
        long m = shape[rank - 2];
        long n = shape[rank - 1];
        long k = a.shape()[rank - 1];
        long batches = out.numel() / Math.max(1, m * n);
        if (m * n == 0) {
            return;
        }
        long[] as = a.strides();
        long[] bs = b.strides();
        MemorySegment A = a.storage().segment();
        MemorySegment B = b.storage().segment();
        MemorySegment C = out.storage().segment();
        DType type = out.dtype();
        for (long batch = 0; batch < batches; batch++) {
            long aBase = a.offset();
            long bBase = b.offset();
            long rest = batch;
            for (int d = rank - 3; d >= 0; d--) {
                long i = rest % shape[d];
                rest /= shape[d];
                aBase += i * as[d];
                bBase += i * bs[d];
            }
            for (long i = 0; i < m; i++) {
                for (long j = 0; j < n; j++) {
                    double acc = 0;
                    for (long p = 0; p < k; p++) {
                        acc += a.dtype().read(A, aBase + i * as[rank - 2] + p * as[rank - 1])
                                * b.dtype().read(B, bBase + p * bs[rank - 2] + j * bs[rank - 1]);
                    }
                    type.write(C, out.offset() + (batch * m + i) * n + j, acc);
                }
            }
        }
    }
}
