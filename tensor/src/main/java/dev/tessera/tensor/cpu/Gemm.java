package dev.tessera.tensor.cpu;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Storage;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.util.Arrays;

/**
 * Matrix multiplication on the CPU: {@code out[..., m, n] = sum_k a[..., m, k] * b[..., k, n]}.
 *
 * <p>F32, BF16 and F16 go through the packed, cache-blocked, vectorised float GEMM
 * ({@link GemmFloat}): half-precision inputs are widened to float while packing, and half-precision
 * results are accumulated in a float scratch, then rounded to nearest even. F64 takes a plain
 * blocked double loop ({@link GemmDouble}).
 *
 * <p>Work is split among threads by blocks of output rows, or of columns when the matrices are
 * wider than tall (MoE experts see a few tokens), never along k: every element is summed in
 * increasing k, so the bits do not depend on the thread count.
 */
public final class Gemm {
    /** Fewest multiply-adds worth a task of their own: a few tens of microseconds of work. */
    private static final long WORK_GRAIN = 1L << 19;

    private Gemm() {}

    /** A rectangle of one output matrix: rows {@code [i0, i1)}, columns {@code [j0, j1)} of product {@code batch}. */
    @FunctionalInterface
    private interface RegionBody {
        void run(long batch, long i0, long i1, long j0, long j1);
    }

    /**
     * Writes {@code a @ b} into {@code out}: a [..., M, K], b [..., K, N] (any views, batch dims
     * may have stride 0), out [..., M, N] contiguous, all of one rank >= 2 with the same batch
     * sizes and floating dtypes.
     */
    public static void matmul(Tensor a, Tensor b, Tensor out) {
        check(a, b, out);
        long[] shape = out.shape();
        int rank = shape.length;
        long m = shape[rank - 2];
        long n = shape[rank - 1];
        long k = a.shape()[rank - 1];
        long numel = out.numel();
        if (numel == 0) {
            return;
        }
        product(GemmOperand.of(a), GemmOperand.of(b), numel / (m * n), m, n, k, out.storage().segment(), out.offset(),
                out.dtype());
    }

    /**
     * Writes {@code batches} products of {@code a}'s m x k matrices by {@code b}'s k x n ones into
     * the contiguous row-major block of {@code c} (storage of dtype {@code type}) starting at element
     * {@code cOffset}: the body of {@link #matmul}, also run per expert by {@link GroupedGemm}.
     */
    static void product(GemmOperand left, GemmOperand right, long batches, long m, long n, long k, MemorySegment c,
            long cOffset, DType type) {
        long numel = batches * m * n;
        if (numel == 0) {
            return;
        }
        if (k == 0) {
            c.asSlice(cOffset * type.byteSize(), numel * type.byteSize()).fill((byte) 0); // all-zero bits: 0.0 in every float type
            return;
        }
        switch (type) {
            case F32 -> {
                GemmJob job = new GemmJob(left, right, batches, m, n, k, c, cOffset);
                forRegions(job, GemmKernel.MR, GemmKernel.NR, (batch, i0, i1, j0, j1) -> GemmFloat.region(job, batch, i0, i1, j0, j1));
            }
            case F64 -> {
                GemmJob job = new GemmJob(left, right, batches, m, n, k, c, cOffset);
                forRegions(job, 1, 1, (batch, i0, i1, j0, j1) -> GemmDouble.region(job, batch, i0, i1, j0, j1));
            }
            default -> {
                Storage scratch = Storage.allocate(numel * Float.BYTES, false);
                GemmJob job = new GemmJob(left, right, batches, m, n, k, scratch.segment(), 0);
                forRegions(job, GemmKernel.MR, GemmKernel.NR, (batch, i0, i1, j0, j1) -> GemmFloat.region(job, batch, i0, i1, j0, j1));
                roundInto(scratch.segment(), c, type, cOffset, numel);
                Reference.reachabilityFence(scratch); // its memory returns to the pool once the storage is unreachable
            }
        }
    }

    /**
     * Splits the job into regions of whole row panels (or column panels, when n > m) of
     * {@code rowUnit} rows ({@code colUnit} columns), numbered across the batch, and runs them
     * in contiguous chunks on the pool. Chunk boundaries fall on panel boundaries, so threads never
     * share a tile.
     */
    private static void forRegions(GemmJob job, int rowUnit, int colUnit, RegionBody body) {
        boolean byRows = job.m() >= job.n();
        long unit = byRows ? rowUnit : colUnit;
        long extent = byRows ? job.m() : job.n();
        long across = byRows ? job.n() : job.m();
        long panels = (extent + unit - 1) / unit;
        long grain = Math.max(1, WORK_GRAIN / (unit * across * job.k()));
        Parallel.forRange(job.batches() * panels, grain, (start, end) -> {
            long item = start;
            while (item < end) {
                long batch = item / panels;
                long first = item - batch * panels;
                long last = Math.min(panels, end - batch * panels);
                long lo = first * unit;
                long hi = Math.min(last * unit, extent);
                if (byRows) {
                    body.run(batch, lo, hi, 0, job.n());
                } else {
                    body.run(batch, 0, job.m(), lo, hi);
                }
                item = batch * panels + last;
            }
        });
    }

    /** Rounds {@code numel} float results in {@code scratch} into {@code c}'s half-precision dtype from element {@code offset}, to nearest even. */
    private static void roundInto(MemorySegment scratch, MemorySegment c, DType type, long offset, long numel) {
        Parallel.forRange(numel, 1 << 16, (start, end) -> {
            for (long i = start; i < end; i++) {
                type.write(c, offset + i, scratch.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i));
            }
        });
    }

    private static void check(Tensor a, Tensor b, Tensor out) {
        long[] as = a.shape();
        long[] bs = b.shape();
        long[] cs = out.shape();
        int rank = cs.length;
        boolean shapesFit = rank >= 2 && as.length == rank && bs.length == rank
                && Arrays.equals(as, 0, rank - 2, cs, 0, rank - 2) && Arrays.equals(bs, 0, rank - 2, cs, 0, rank - 2)
                && as[rank - 2] == cs[rank - 2] && bs[rank - 1] == cs[rank - 1] && as[rank - 1] == bs[rank - 2];
        if (!shapesFit || !out.isContiguous()) {
            throw new IllegalArgumentException("matmul: expected a [..., M, K], b [..., K, N] and a contiguous out [..., M, N]"
                    + " of one rank >= 2 with equal batch dims, got a " + Shape.str(as) + ", b " + Shape.str(bs)
                    + ", out " + Shape.str(cs) + (out.isContiguous() ? "" : " (not contiguous)"));
        }
        if (!a.dtype().isFloating() || !b.dtype().isFloating() || !out.dtype().isFloating()) {
            throw new IllegalArgumentException("matmul: the cpu backend multiplies floating dtypes, got a " + a.dtype()
                    + ", b " + b.dtype() + ", out " + out.dtype());
        }
    }
}
