package dev.tessera.opencl;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;

/**
 * One (batched) product {@code C = A B} over views: A {@code [..., M, K]}, B {@code [..., K, N]}
 * and C {@code [..., M, N]} of one floating dtype and the same batch sizes, any strides (C is
 * written, so it must not overlap A or B). Launches matmul.cl's kernels, whole or, for the tuner,
 * on a corner of the problem.
 */
final class Gemm {
    private static final String FAMILY = "matmul";
    /** The most work-groups a grid's third dim is given; the kernels loop over further batches. */
    private static final long MAX_BATCH_GROUPS = 65535;

    final DType dtype;
    final Tensor a;
    final Tensor b;
    final Tensor c;
    final int m;
    final int n;
    final int k;
    final long batches;
    /** Whether A's columns are its unit-stride direction (a row-major A): the tiled kernel's load order. */
    final boolean aKFast;
    /** Whether B's columns are its unit-stride direction (a row-major B). */
    final boolean bNFast;
    private final KernelLayout batch;

    Gemm(Tensor a, Tensor b, Tensor c) {
        int rank = c.rank();
        this.dtype = c.dtype();
        this.a = a;
        this.b = b;
        this.c = c;
        this.m = Math.toIntExact(c.shape()[rank - 2]);
        this.n = Math.toIntExact(c.shape()[rank - 1]);
        this.k = Math.toIntExact(a.shape()[rank - 1]);
        // The batch dims with the matrix dims as size 1: KernelLayout drops those, so only the batch
        // strides (and the offsets) of the three views reach the kernel.
        long[] batchShape = Arrays.copyOf(c.shape(), rank);
        batchShape[rank - 2] = 1;
        batchShape[rank - 1] = 1;
        this.batch = KernelLayout.of(batchShape, a, b, c);
        this.batches = batch.numel();
        this.aKFast = unitFirst(colStride(a), rowStride(a));
        this.bNFast = unitFirst(colStride(b), rowStride(b));
    }

    boolean isEmpty() {
        return m == 0 || n == 0 || batches == 0;
    }

    /** Runs {@code config} on the whole problem. */
    void run(ClRuntime runtime, GemmConfig config) {
        run(runtime, config, m, n, k, batches);
    }

    /**
     * Runs {@code config} on the leading {@code rows x cols} block of the first {@code count}
     * batches, summing over the first {@code depth} k: the tuner's sample of this problem.
     */
    void run(ClRuntime runtime, GemmConfig config, int rows, int cols, int depth, long count) {
        String options = ClTypes.operand("A", dtype);
        boolean tiled = config.isTiled();
        Launch launch = new Launch(runtime, FAMILY, tiled ? options + config.options(runtime) : options,
                tiled ? "gemm_tiled" : "gemm_simple")
                .buffer(a).struct(batch.view(0)).i64(rowStride(a)).i64(colStride(a))
                .buffer(b).struct(batch.view(1)).i64(rowStride(b)).i64(colStride(b))
                .buffer(c).struct(batch.view(2)).i64(rowStride(c)).i64(colStride(c))
                .struct(batch.shape()).i64(count).i32(rows).i32(cols).i32(depth);
        if (tiled) {
            launch.i32(aKFast ? 1 : 0).i32(bNFast ? 1 : 0);
        }
        long[] local = config.local();
        long groupsN = (cols + (long) config.bn() - 1) / config.bn();
        long groupsM = (rows + (long) config.bm() - 1) / config.bm();
        long groupsZ = Math.min(count, MAX_BATCH_GROUPS);
        launch.run(new long[] {groupsN * local[0], groupsM * local[1], groupsZ}, new long[] {local[0], local[1], 1});
    }

    private static long rowStride(Tensor t) {
        return t.strides()[t.rank() - 2];
    }

    private static long colStride(Tensor t) {
        return t.strides()[t.rank() - 1];
    }

    /** True when walking the columns is the contiguous (or at least the shorter) step. */
    private static boolean unitFirst(long colStride, long rowStride) {
        return Math.abs(colStride) <= Math.abs(rowStride) || rowStride == 0;
    }
}
