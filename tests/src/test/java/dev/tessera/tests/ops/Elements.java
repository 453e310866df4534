package dev.tessera.tests.ops;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Reads a tensor's elements in row-major order by walking its strides in the test itself, so
 * that checking a backend's output never depends on that backend's own copy kernel.
 */
final class Elements {
    private Elements() {}

    /** A device tensor's values copied to the cpu (exactly: same dtype, same shape). */
    private static Tensor onHost(Tensor t) {
        return t.storage().isHost() ? t : t.to(Device.cpu());
    }

    static double[] doubles(Tensor t) {
        t = onHost(t);
        MemorySegment segment = t.storage().segment();
        long[] offsets = offsets(t);
        double[] values = new double[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            values[i] = t.dtype().read(segment, offsets[i]);
        }
        return values;
    }

    /** Exact values of an integer or BOOL tensor. */
    static long[] longs(Tensor t) {
        if (t.dtype().isFloating()) {
            throw new IllegalArgumentException("longs: " + t.dtype() + " is not an integer type");
        }
        t = onHost(t);
        MemorySegment segment = t.storage().segment();
        long[] offsets = offsets(t);
        long[] values = new long[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            values[i] = t.dtype().readLong(segment, offsets[i]);
        }
        return values;
    }

    /** The element offset (into the storage) of every element, in row-major order. */
    private static long[] offsets(Tensor t) {
        long[] shape = t.shape();
        long[] strides = t.strides();
        long[] offsets = new long[Math.toIntExact(t.numel())];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = t.offset() + Shapes.flatten(Shapes.unravel(i, shape), strides);
        }
        return offsets;
    }
}
