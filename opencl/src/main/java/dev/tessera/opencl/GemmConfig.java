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

    /** The GPU candidates: big blocks for big products, smaller ones that still fill the chip for small ones. */
    static final List<GemmConfig> GPU = List.of(
            new GemmConfig("128x128x16_8x8", 128, 128, 16, 8, 8),
            new GemmConfig("128x64x16_8x4", 128, 64, 16, 8, 4),
            new GemmConfig("64x128x16_4x8", 64, 128, 16, 4, 8),
            new GemmConfig("64x64x16_4x4", 64, 64, 16, 4, 4),
            new GemmConfig("64x64x8_8x8", 64, 64, 8, 8, 8));

    /**
     * On a CPU device (PoCL) one: each candidate costs seconds of compilation per dtype there, and
     * this one was the fastest of the four tried at 512 cubed on PoCL 3.1.
     */
    static final List<GemmConfig> CPU = List.of(
            new GemmConfig("64x64x16_4x4", 64, 64, 16, 4, 4));

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
