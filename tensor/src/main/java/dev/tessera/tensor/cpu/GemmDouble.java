package dev.tessera.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The F64 path of {@link Gemm}: plain loops in double, blocked over k and columns so that a block
 * of B stays in cache while the rows of A pass over it. Each element of C is summed in increasing
 * k, whatever the region, so results do not depend on the thread count.
 */
final class GemmDouble {
    private static final int KC = 128;
    private static final int NC = 256;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private GemmDouble() {}

    /** Computes rows {@code [i0, i1)} x columns {@code [j0, j1)} of product {@code batch} into C (doubles). */
    static void region(GemmJob job, long batch, long i0, long i1, long j0, long j1) {
        GemmOperand a = job.a();
        GemmOperand b = job.b();
        MemorySegment c = job.c();
        long aBase = a.base(batch);
        long bBase = b.base(batch);
        for (long i = i0; i < i1; i++) {
            c.asSlice((job.cRow(batch, i) + j0) * Double.BYTES, (j1 - j0) * Double.BYTES).fill((byte) 0);
        }
        for (long jc = j0; jc < j1; jc += NC) {
            long jEnd = Math.min(j1, jc + NC);
            for (long pc = 0; pc < job.k(); pc += KC) {
                long pEnd = Math.min(job.k(), pc + KC);
                for (long i = i0; i < i1; i++) {
                    long cRow = job.cRow(batch, i);
                    for (long p = pc; p < pEnd; p++) {
                        double aip = a.readDouble(aBase + i * a.rowStride() + p * a.colStride());
                        long bRow = bBase + p * b.rowStride();
                        for (long j = jc; j < jEnd; j++) {
                            long at = (cRow + j) * Double.BYTES;
                            c.set(DOUBLE, at, c.get(DOUBLE, at) + aip * b.readDouble(bRow + j * b.colStride()));
                        }
                    }
                }
            }
        }
    }
}
