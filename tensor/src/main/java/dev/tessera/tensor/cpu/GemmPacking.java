package dev.tessera.tensor.cpu;

import static dev.tessera.tensor.cpu.GemmKernel.LANES;
import static dev.tessera.tensor.cpu.GemmKernel.MR;
import static dev.tessera.tensor.cpu.GemmKernel.NR;
import static dev.tessera.tensor.cpu.GemmKernel.SPECIES;

import dev.tessera.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Copies blocks of the operands into the contiguous panel layout {@link GemmKernel} reads, as
 * floats: A in panels of {@link GemmKernel#MR} rows ({@code [p][r]} within a panel), B in panels
 * of {@link GemmKernel#NR} columns ({@code [p][c]}). Panels are padded with zeros past the last
 * row or column, so the kernel only ever sees full panels. Every layout and dtype of the source
 * is handled here. F32 sources that are contiguous along the panel's width (plain B, transposed
 * A) are copied a vector at a time; those contiguous along k (plain A, transposed B) are copied a
 * run of k at a time and interleaved; every other layout and dtype is read element by element.
 */
final class GemmPacking {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Where column c of a staged B panel starts: {@link #transposeB} stages column c at {@code c * KC}. */
    private static final int[] STAGED_COLUMNS = stagedColumns();

    private GemmPacking() {}

    /**
     * Packs rows {@code [i0, i0 + rows)} and k {@code [p0, p0 + kc)} of the matrix at {@code base};
     * panel q starts at {@code q * MR * kc}. {@code run} holds at least kc floats of scratch.
     */
    static void packA(GemmOperand a, long base, long i0, int rows, long p0, int kc, float[] dst, float[] run) {
        long rs = a.rowStride();
        long cs = a.colStride();
        boolean contiguousRows = a.type() == DType.F32 && cs == 1;
        boolean contiguousColumns = a.type() == DType.F32 && rs == 1 && LANES >= MR;
        for (int q = 0; q < rows; q += MR) {
            int valid = Math.min(MR, rows - q);
            long panelAt = base + (i0 + q) * rs + p0 * cs;
            int to = q * kc;
            if (contiguousColumns) {
                copyColumns(a, panelAt, cs, kc, valid, dst, to);
                continue;
            }
            if (contiguousRows) {
                for (int r = 0; r < valid; r++) {
                    interleave(a, panelAt + r * rs, kc, run, dst, to + r, MR);
                }
                for (int p = 0; valid < MR && p < kc; p++) {
                    Arrays.fill(dst, to + p * MR + valid, to + (p + 1) * MR, 0);
                }
                continue;
            }
            for (int p = 0; p < kc; p++, to += MR) {
                long from = panelAt + p * cs;
                for (int r = 0; r < valid; r++) {
                    dst[to + r] = a.readFloat(from + r * rs);
                }
                Arrays.fill(dst, to + valid, to + MR, 0);
            }
        }
    }

    /**
     * A panel of an A whose columns are contiguous (a transposed view: {@code dy^T} in a weight
     * gradient): each k step's rows are adjacent in memory, so one vector load and store moves
     * them. The vector's lanes past MR land on the next k steps' places, which those steps then
     * overwrite (panels are packed in order). A k step whose vector would reach past the source or
     * the buffer, and a panel cut by the block's edge, are copied element by element. (Masked
     * loads and stores would avoid the overlap; a first version with them timed erratically, which
     * was not pinned down, so the plain vector path was kept.)
     */
    private static void copyColumns(GemmOperand a, long panelAt, long cs, int kc, int valid, float[] dst, int to) {
        MemorySegment src = a.segment();
        long lastVector = src.byteSize() - (long) LANES * Float.BYTES;
        for (int p = 0; p < kc; p++, to += MR) {
            long at = (panelAt + p * cs) * Float.BYTES;
            if (valid == MR && at <= lastVector && to + LANES <= dst.length) {
                FloatVector.fromMemorySegment(SPECIES, src, at, ORDER).intoArray(dst, to);
                continue;
            }
            for (int r = 0; r < MR; r++) {
                dst[to + r] = r < valid ? src.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at + (long) r * Float.BYTES) : 0;
            }
        }
    }

    /**
     * Packs k {@code [p0, p0 + kc)} and columns {@code [j0, j0 + cols)} of the matrix at
     * {@code base}; panel q starts at {@code q * NR * kc}. {@code run} holds at least NR * KC floats
     * of scratch.
     */
    static void packB(GemmOperand b, long base, long p0, int kc, long j0, int cols, float[] dst, float[] run) {
        long rs = b.rowStride();
        long cs = b.colStride();
        boolean contiguousRows = b.type() == DType.F32 && cs == 1;
        boolean contiguousColumns = b.type() == DType.F32 && rs == 1;
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
            if (valid == NR && contiguousColumns) {
                transposeB(b, panelAt, cs, kc, run, dst, to);
                continue;
            }
            if (contiguousColumns) {
                for (int c = 0; c < valid; c++) {
                    interleave(b, panelAt + c * cs, kc, run, dst, to + c, NR);
                }
                for (int p = 0; valid < NR && p < kc; p++) {
                    Arrays.fill(dst, to + p * NR + valid, to + (p + 1) * NR, 0);
                }
                continue;
            }
            for (int p = 0; p < kc; p++, to += NR) {
                long from = panelAt + p * rs;
                for (int c = 0; c < valid; c++) {
                    dst[to + c] = b.readFloat(from + c * cs);
                }
                Arrays.fill(dst, to + valid, to + NR, 0);
            }
        }
    }

    /**
     * A full panel of a B whose columns are contiguous (B = W^T, what a Linear multiplies by): the
     * panel's NR columns are copied in bulk into {@code staged} (column c at {@code c * KC}), then
     * each k step gathers one element of every column, a vector at a time: far fewer instructions
     * than a scalar store per element.
     */
    private static void transposeB(GemmOperand b, long panelAt, long cs, int kc, float[] staged, float[] dst, int to) {
        for (int c = 0; c < NR; c++) {
            MemorySegment.copy(b.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED, (panelAt + c * cs) * Float.BYTES,
                    staged, c * GemmFloat.KC, kc);
        }
        for (int p = 0; p < kc; p++, to += NR) {
            for (int v = 0; v < NR; v += LANES) {
                FloatVector.fromArray(SPECIES, staged, p, STAGED_COLUMNS, v).intoArray(dst, to + v);
            }
        }
    }

    private static int[] stagedColumns() {
        int[] at = new int[NR];
        for (int c = 0; c < NR; c++) {
            at[c] = c * GemmFloat.KC;
        }
        return at;
    }

    /**
     * Copies {@code count} consecutive F32 elements from element {@code from} of the operand to
     * {@code dst[to], dst[to + step], ...}: one bulk copy, then strided stores from the array,
     * much cheaper than strided reads of the segment element by element.
     */
    private static void interleave(GemmOperand src, long from, int count, float[] run, float[] dst, int to, int step) {
        MemorySegment.copy(src.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED, from * Float.BYTES, run, 0, count);
        for (int p = 0; p < count; p++) {
            dst[to + p * step] = run[p];
        }
    }
}
