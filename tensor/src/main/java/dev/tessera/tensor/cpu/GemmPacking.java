package dev.tessera.tensor.cpu;

import static dev.tessera.tensor.cpu.GemmKernel.LANES;
import static dev.tessera.tensor.cpu.GemmKernel.MR;
import static dev.tessera.tensor.cpu.GemmKernel.NR;
import static dev.tessera.tensor.cpu.GemmKernel.SPECIES;

import dev.tessera.tensor.DType;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * Copies blocks of the operands into the contiguous panel layout {@link GemmKernel} reads, as
 * floats: A in panels of {@link GemmKernel#MR} rows ({@code [p][r]} within a panel), B in panels
 * of {@link GemmKernel#NR} columns ({@code [p][c]}). Panels are padded with zeros past the last
 * row or column, so the kernel only ever sees full panels. Every layout and dtype of the source
 * is handled here; the reads walk k in the outer loop so that both plain and transposed sources
 * are read as a few sequential streams.
 */
final class GemmPacking {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private GemmPacking() {}

    /** Packs rows {@code [i0, i0 + rows)} and k {@code [p0, p0 + kc)} of the matrix at {@code base}; panel q starts at {@code q * MR * kc}. */
    static void packA(GemmOperand a, long base, long i0, int rows, long p0, int kc, float[] dst) {
        long rs = a.rowStride();
        long cs = a.colStride();
        for (int q = 0; q < rows; q += MR) {
            int valid = Math.min(MR, rows - q);
            long panelAt = base + (i0 + q) * rs + p0 * cs;
            int to = q * kc;
            for (int p = 0; p < kc; p++, to += MR) {
                long from = panelAt + p * cs;
                for (int r = 0; r < valid; r++) {
                    dst[to + r] = a.readFloat(from + r * rs);
                }
                for (int r = valid; r < MR; r++) {
                    dst[to + r] = 0;
                }
            }
        }
    }

    /** Packs k {@code [p0, p0 + kc)} and columns {@code [j0, j0 + cols)} of the matrix at {@code base}; panel q starts at {@code q * NR * kc}. */
    static void packB(GemmOperand b, long base, long p0, int kc, long j0, int cols, float[] dst) {
        long rs = b.rowStride();
        long cs = b.colStride();
        boolean contiguousRows = b.type() == DType.F32 && cs == 1;
        for (int q = 0; q < cols; q += NR) {
            int valid = Math.min(NR, cols - q);
            long panelAt = base + p0 * rs + (j0 + q) * cs;
            int to = q * kc;
            if (valid == NR && contiguousRows) {
                for (int p = 0; p < kc; p++, to += NR) {
                    long fromByte = (panelAt + p * rs) * Float.BYTES;
                    for (int v = 0; v < NR; v += LANES) {
                        FloatVector.fromMemorySegment(SPECIES, b.segment(), fromByte + (long) v * Float.BYTES, ORDER)
                                .intoArray(dst, to + v);
                    }
                }
                continue;
            }
            for (int p = 0; p < kc; p++, to += NR) {
                long from = panelAt + p * rs;
                for (int c = 0; c < valid; c++) {
                    dst[to + c] = b.readFloat(from + c * cs);
                }
                for (int c = valid; c < NR; c++) {
                    dst[to + c] = 0;
                }
            }
        }
    }
}
