package dev.tessera.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Copies a tensor's elements out into Java arrays, in row-major order. */
final class HostArrays {
    private HostArrays() {}

    /** The tensor as a contiguous tensor of {@code type}: a copy only when needed. */
    private static Tensor onHost(Tensor t, DType type) {
        return t.to(type).contiguous();
    }

    private static MemorySegment data(Tensor t) {
        if (t.numel() == 0) {
            return MemorySegment.NULL; // an empty view's offset may lie past its (empty) storage
        }
        return t.storage().segment().asSlice(t.offset() * t.dtype().byteSize(), t.numel() * t.dtype().byteSize());
    }

    static float[] toFloatArray(Tensor t) {
        Tensor c = onHost(t, DType.F32);
        return data(c).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
    }

    static double[] toDoubleArray(Tensor t) {
        Tensor c = onHost(t, DType.F64);
        return data(c).toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED);
    }

    static int[] toIntArray(Tensor t) {
        Tensor c = onHost(t, DType.I32);
        return data(c).toArray(ValueLayout.JAVA_INT_UNALIGNED);
    }

    static long[] toLongArray(Tensor t) {
        Tensor c = onHost(t, DType.I64);
        return data(c).toArray(ValueLayout.JAVA_LONG_UNALIGNED);
    }
}
