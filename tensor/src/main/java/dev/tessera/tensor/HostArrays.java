package dev.tessera.tensor;

import java.lang.foreign.MemorySegment;

/** Copies a tensor's elements out into Java arrays, in row-major order. */
final class HostArrays {
    private HostArrays() {}

    static float[] toFloatArray(Tensor t) {
        float[] out = new float[length("toFloatArray", t)];
        export(t, DType.F32, MemorySegment.ofArray(out));
        return out;
    }

    static double[] toDoubleArray(Tensor t) {
        double[] out = new double[length("toDoubleArray", t)];
        export(t, DType.F64, MemorySegment.ofArray(out));
        return out;
    }

    static int[] toIntArray(Tensor t) {
        int[] out = new int[length("toIntArray", t)];
        export(t, DType.I32, MemorySegment.ofArray(out));
        return out;
    }

    static long[] toLongArray(Tensor t) {
        long[] out = new long[length("toLongArray", t)];
        export(t, DType.I64, MemorySegment.ofArray(out));
        return out;
    }

    private static int length(String op, Tensor t) {
        if (t.numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + t.numel() + " elements (shape " + Shape.str(t.shape())
                    + ") do not fit in a Java array");
        }
        return (int) t.numel();
    }

    /** Converts {@code t} to {@code type} (a copy only when needed) and copies its elements into {@code target}. */
    private static void export(Tensor t, DType type, MemorySegment target) {
        Tensor host = t.storage().isHost() ? t : t.to(Device.cpu());
        Tensor c = host.to(type).contiguous();
        if (c.numel() == 0) {
            // An empty view may point past the end of its storage (a select or narrow of a tensor
            // with another dim of size 0), so its offset must not be used.
            return;
        }
        MemorySegment.copy(c.storage().segment(), c.offset() * type.byteSize(), target, 0, target.byteSize());
    }
}
