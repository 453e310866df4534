package dev.tessera.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled micro-kernel of the float GEMM: one {@link #MR} x {@link #NR} tile of C
 * updated with a packed A micro-panel times a packed B micro-panel. Twelve vector accumulators
 * (6 rows x 2 vectors) plus two B vectors and one broadcast A value fit the 16 registers of AVX2
 * and leave room in the 32 of AVX-512.
 *
 * <p>Every element of the tile is a chain of fused multiply-adds in increasing k, continued from
 * the value already in C when {@code accumulate} is set. That chain is the whole arithmetic, so
 * the result does not depend on how the callers block or split the work.
 */
final class GemmKernel {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Rows of a tile: A values broadcast per k step. */
    static final int MR = 6;
    /** Columns of a tile: two vectors. */
    static final int NR = 2 * LANES;

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final long VECTOR_BYTES = (long) LANES * Float.BYTES;

    private GemmKernel() {}

    /**
     * {@code C[r][c] (+)= sum_p a[aAt + p*MR + r] * b[bAt + p*NR + c]} for p below {@code kc}, the
     * tile's row r starting at byte {@code cAt + r * rowBytes} of {@code c} (floats, native order).
     * Without {@code accumulate} the tile is overwritten.
     */
    static void tile(int kc, float[] a, int aAt, float[] b, int bAt,
                     MemorySegment c, long cAt, long rowBytes, boolean accumulate) {
        long c1 = cAt + rowBytes;
        long c2 = c1 + rowBytes;
        long c3 = c2 + rowBytes;
        long c4 = c3 + rowBytes;
        long c5 = c4 + rowBytes;
        FloatVector acc00;
        FloatVector acc01;
        FloatVector acc10;
        FloatVector acc11;
        FloatVector acc20;
        FloatVector acc21;
        FloatVector acc30;
        FloatVector acc31;
        FloatVector acc40;
        FloatVector acc41;
        FloatVector acc50;
        FloatVector acc51;
        if (accumulate) {
            acc00 = FloatVector.fromMemorySegment(SPECIES, c, cAt, ORDER);
            acc01 = FloatVector.fromMemorySegment(SPECIES, c, cAt + VECTOR_BYTES, ORDER);
            acc10 = FloatVector.fromMemorySegment(SPECIES, c, c1, ORDER);
            acc11 = FloatVector.fromMemorySegment(SPECIES, c, c1 + VECTOR_BYTES, ORDER);
            acc20 = FloatVector.fromMemorySegment(SPECIES, c, c2, ORDER);
            acc21 = FloatVector.fromMemorySegment(SPECIES, c, c2 + VECTOR_BYTES, ORDER);
            acc30 = FloatVector.fromMemorySegment(SPECIES, c, c3, ORDER);
            acc31 = FloatVector.fromMemorySegment(SPECIES, c, c3 + VECTOR_BYTES, ORDER);
            acc40 = FloatVector.fromMemorySegment(SPECIES, c, c4, ORDER);
            acc41 = FloatVector.fromMemorySegment(SPECIES, c, c4 + VECTOR_BYTES, ORDER);
            acc50 = FloatVector.fromMemorySegment(SPECIES, c, c5, ORDER);
            acc51 = FloatVector.fromMemorySegment(SPECIES, c, c5 + VECTOR_BYTES, ORDER);
        } else {
            FloatVector zero = FloatVector.zero(SPECIES);
            acc00 = zero;
            acc01 = zero;
            acc10 = zero;
            acc11 = zero;
            acc20 = zero;
            acc21 = zero;
            acc30 = zero;
            acc31 = zero;
            acc40 = zero;
            acc41 = zero;
            acc50 = zero;
            acc51 = zero;
        }
        for (int p = 0; p < kc; p++) {
            int bp = bAt + p * NR;
            int ap = aAt + p * MR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
            FloatVector av = FloatVector.broadcast(SPECIES, a[ap]);
            acc00 = av.fma(b0, acc00);
            acc01 = av.fma(b1, acc01);
            av = FloatVector.broadcast(SPECIES, a[ap + 1]);
            acc10 = av.fma(b0, acc10);
            acc11 = av.fma(b1, acc11);
            av = FloatVector.broadcast(SPECIES, a[ap + 2]);
            acc20 = av.fma(b0, acc20);
            acc21 = av.fma(b1, acc21);
            av = FloatVector.broadcast(SPECIES, a[ap + 3]);
            acc30 = av.fma(b0, acc30);
            acc31 = av.fma(b1, acc31);
            av = FloatVector.broadcast(SPECIES, a[ap + 4]);
            acc40 = av.fma(b0, acc40);
            acc41 = av.fma(b1, acc41);
            av = FloatVector.broadcast(SPECIES, a[ap + 5]);
            acc50 = av.fma(b0, acc50);
            acc51 = av.fma(b1, acc51);
        }
        acc00.intoMemorySegment(c, cAt, ORDER);
        acc01.intoMemorySegment(c, cAt + VECTOR_BYTES, ORDER);
        acc10.intoMemorySegment(c, c1, ORDER);
        acc11.intoMemorySegment(c, c1 + VECTOR_BYTES, ORDER);
        acc20.intoMemorySegment(c, c2, ORDER);
        acc21.intoMemorySegment(c, c2 + VECTOR_BYTES, ORDER);
        acc30.intoMemorySegment(c, c3, ORDER);
        acc31.intoMemorySegment(c, c3 + VECTOR_BYTES, ORDER);
        acc40.intoMemorySegment(c, c4, ORDER);
        acc41.intoMemorySegment(c, c4 + VECTOR_BYTES, ORDER);
        acc50.intoMemorySegment(c, c5, ORDER);
        acc51.intoMemorySegment(c, c5 + VECTOR_BYTES, ORDER);
    }
}
