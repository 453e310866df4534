package dev.tessera.tensor.cpu;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * One 4-d operand of the attention kernels ({@code [batch, head, row, column]}, any strides and
 * dtype), and the staging of its rows into the kernels' float blocks: BF16 and F16 are widened
 * to F32 here, so the block math only ever sees floats.
 */
record AttentionOperand(MemorySegment segment, DType dtype, long offset, long[] strides) {
    static AttentionOperand of(Tensor t) {
        return t == null ? null : new AttentionOperand(t.storage().segment(), t.dtype(), t.offset(), t.strides());
    }

    /** A 3-d {@code [batch, head, row]} tensor (the log-sum-exp) as rows of one column. */
    static AttentionOperand ofRowStatistics(Tensor t) {
        long[] s = t.strides();
        return new AttentionOperand(t.storage().segment(), t.dtype(), t.offset(), new long[] {s[0], s[1], s[2], 1});
    }

    /** The element offset of {@code [b, head, row, 0]}. */
    long rowStart(long b, long head, long row) {
        return offset + b * strides[0] + head * strides[1] + row * strides[2];
    }

    /**
     * Whether rows are plain F32 runs, which stage by bulk copy rather than element by element. An
     * operand without columns never is: its storage may be empty, where a copy's offset is out of bounds.
     */
    private boolean contiguousF32(int width) {
        return dtype == DType.F32 && strides[3] == 1 && width > 0;
    }

    /** Reads {@code count} rows from {@code row} of (b, head), {@code width} columns each, into {@code dst[i * ld + c]}. */
    void rowsTo(long b, long head, long row, int count, int width, float[] dst, int ld) {
        if (contiguousF32(width)) {
            for (int i = 0; i < count; i++) {
                MemorySegment.copy(segment, Staging.FLOAT, rowStart(b, head, row + i) * Float.BYTES, dst, i * ld, width);
            }
            return;
        }
        for (int i = 0; i < count; i++) {
            Staging.toFloats(segment, dtype, rowStart(b, head, row + i), strides[3], width, dst, i * ld);
        }
    }

    /**
     * Reads {@code count} rows from {@code row} of (b, head), {@code width} columns each, transposed:
     * column c of row i goes to {@code dst[c * ld + i]}.
     */
    void rowsTransposedTo(long b, long head, long row, int count, int width, float[] dst, int ld) {
        if (contiguousF32(width)) {
            for (int i = 0; i < count; i++) {
                long from = rowStart(b, head, row + i) * Float.BYTES;
                for (int c = 0; c < width; c++) {
                    dst[c * ld + i] = segment.get(Staging.FLOAT, from + (long) c * Float.BYTES);
                }
            }
            return;
        }
        long start = rowStart(b, head, row);
        for (int c = 0; c < width; c++) {
            Staging.toFloats(segment, dtype, start + c * strides[3], strides[2], count, dst, c * ld);
        }
    }

    /** Reads column 0 of the {@code count} rows from {@code row} of (b, head) into {@code dst[0..count)}. */
    void columnTo(long b, long head, long row, int count, float[] dst) {
        Staging.toFloats(segment, dtype, rowStart(b, head, row), strides[2], count, dst, 0);
    }

    /** Reads {@code width} columns of row {@code row} of (b, head), from column {@code column}, into {@code dst[0..width)}. */
    void rowTo(long b, long head, long row, long column, int width, float[] dst) {
        Staging.toFloats(segment, dtype, rowStart(b, head, row) + column * strides[3], strides[3], width, dst, 0);
    }

    /** Writes {@code src[from .. from + width)} to row {@code row} of (b, head), converting to this operand's dtype. */
    void writeRow(long b, long head, long row, int width, float[] src, int from) {
        Staging.fromFloats(src, from, segment, dtype, rowStart(b, head, row), strides[3], width);
    }

    /** Reads {@code width} columns of row {@code row} of (b, head) as doubles (the F64 path) into {@code dst[0..width)}. */
    void rowToDoubles(long b, long head, long row, int width, double[] dst) {
        Staging.toDoubles(segment, dtype, rowStart(b, head, row), strides[3], width, dst);
    }

    /** Writes {@code src[0..width)} (doubles) to row {@code row} of (b, head). */
    void writeRowDoubles(long b, long head, long row, int width, double[] src) {
        Staging.fromDoubles(src, segment, dtype, rowStart(b, head, row), strides[3], width);
    }

    /** The element {@code [b, head, row, column]} as a double. */
    double element(long b, long head, long row, long column) {
        return dtype.read(segment, rowStart(b, head, row) + column * strides[3]);
    }
}
