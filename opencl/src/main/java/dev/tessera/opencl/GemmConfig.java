package dev.tessera.opencl;

import dev.tessera.tensor.DType;
import java.util.List;

/**
 * One tile configuration of matmul.cl's {@code gemm_tiled}: a work-group computes a {@code bm x bn}
 * block of C over K slices of {@code bk}, each work item a {@code tm x tn} register tile (multiples
 * of 4). The {@link GemmTuner} times the candidates and keeps the fastest per shape class.
 */
record GemmConfig(String name, int bm, int bn, int bk, int tm, int tn) {
    /** Padding of each local row, as PAD in matmul.cl. */
    private static final int PAD = 4;

    /** {@code gemm_simple}: one work item per element of C, in 16 x 16 groups; no local memory. */
    static final GemmConfig SIMPLE = new GemmConfig("simple", 16, 16, 0, 1, 1);

    /**
     * The GPU candidates. On an H100 (OpenCL, driver 580), F32, square sizes, against cuBLAS FP32
     * in the same run: 128x64x16_8x4 was best or within 3% from 1024 to 8192 (0.80x cuBLAS at
     * 1024, 0.73x at 2048 and 4096, 0.75x at 8192), the 128 x 128 blocks caught up from 2048
     * (192 registers: one group per SM), the 64 x 64 block trails on big products but keeps more
     * groups in flight for small and batched ones.
     */
    static final List<GemmConfig> GPU = List.of(
            new GemmConfig("128x64x16_8x4", 128, 64, 16, 8, 4),
            new GemmConfig("64x128x16_4x8", 64, 128, 16, 4, 8),
            new GemmConfig("128x128x16_8x8", 128, 128, 16, 8, 8),
            new GemmConfig("128x128x8_8x8", 128, 128, 8, 8, 8),
            new GemmConfig("64x64x16_4x4", 64, 64, 16, 4, 4));

    /**
     * On a CPU device (PoCL) one: each candidate costs seconds of compilation per dtype there, and
     * this one was the fastest of the four tried at 512 cubed on PoCL 3.1.
     */
    static final List<GemmConfig> CPU = List.of(
            new GemmConfig("64x64x16_4x4", 64, 64, 16, 4, 4));

    /** matmul.cl's loaders need a work-group that is a whole number of A, B and K slice rows, and slices it splits evenly. */
    GemmConfig {
        int items = (bn / Math.max(1, tn)) * (bm / Math.max(1, tm));
        if (bk > 0 && (bm % tm != 0 || bn % tn != 0 || tm % 4 != 0 || tn % 4 != 0 || items % bm != 0 || items % bn != 0
                || items % bk != 0 || bm * bk % items != 0 || bk * bn % items != 0)) {
            throw new IllegalArgumentException("matmul tile configuration " + name + " does not suit matmul.cl's loaders");
        }
    }

    boolean isTiled() {
        return bk > 0;
    }

    /** Work items along n (dim 0) and m (dim 1). */
    long[] local() {
        return new long[] {bn / tn, bm / tm};
    }

    /** Build options; the K slice loop is unrolled on a GPU only (on PoCL unrolling slows the build and the kernel). */
    String options(ClRuntime runtime) {
        return "-DBM=" + bm + " -DBN=" + bn + " -DBK=" + bk + " -DTM=" + tm + " -DTN=" + tn + " -DUNROLL_K="
                + (runtime.gpu ? 1 : 0) + " ";
    }

    /** Whether the device can run it for {@code dtype}: work-group size and local memory. */
    boolean fits(ClRuntime runtime, DType dtype) {
        long items = (long) (bn / tn) * (bm / tm);
        long localBytes = (long) bk * (bm + PAD + bn + PAD) * (dtype == DType.F64 ? 8 : 4);
        return items <= runtime.maxWorkGroupSize && localBytes <= runtime.localMemBytes;
    }
}
