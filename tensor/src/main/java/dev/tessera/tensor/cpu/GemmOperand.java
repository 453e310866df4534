package dev.tessera.tensor.cpu;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * One input of a matmul seen as a stack of strided matrices: element (row, col) of matrix
 * {@code batch} sits at {@code base(batch) + row * rowStride + col * colStride} (in elements).
 * Any view fits: transposed, sliced, or broadcast (stride 0) in any dim.
 */
record GemmOperand(MemorySegment segment, DType type, long offset, long[] batchShape, long[] batchStrides,
                   long rowStride, long colStride) {

    static GemmOperand of(Tensor t) {
        int rank = t.rank();
        long[] strides = t.strides();
        return new GemmOperand(t.storage().segment(), t.dtype(), t.offset(),
                Arrays.copyOf(t.shape(), rank - 2), Arrays.copyOf(strides, rank - 2),
                strides[rank - 2], strides[rank - 1]);
    }

    /** The element offset of matrix {@code batch}, the batch dims counted in row-major order. */
    long base(long batch) {
        long at = offset;
        long rest = batch;
        for (int d = batchShape.length - 1; d >= 0; d--) {
            at += (rest % batchShape[d]) * batchStrides[d];
            rest /= batchShape[d];
        }
        return at;
    }

    /** Element {@code index} of the storage as a float (exact for F32, BF16, F16). */
    float readFloat(long index) {
        if (type == DType.F32) {
            return segment.get(ValueLayout.JAVA_FLOAT_UNALIGNED, index * Float.BYTES);
        }
        return (float) type.read(segment, index);
    }

    /** Element {@code index} of the storage as a double. */
    double readDouble(long index) {
        return type.read(segment, index);
    }
}
