package dev.tessera.opencl;

import dev.tessera.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Range checks of index values on the device (check_range in indexing.cl), for the ops whose
 * contract says a bad index throws before anything is written. The answer comes back to the host,
 * a sync the contract needs; only when a check fails is the index read back, to name its first bad
 * entry in row-major order as the reference does.
 */
final class IndexChecks {
    private final ClRuntime runtime;

    IndexChecks(ClRuntime runtime) {
        this.runtime = runtime;
    }

    /** An entry outside the range: its row-major position and its value. */
    record Outside(long at, long value) {}

    /** The first entry of {@code index} (I32 or I64, any view) outside {@code [lo, hi)}, or null when none is. */
    Outside firstOutside(Tensor index, long lo, long hi) {
        KernelLayout l = KernelLayout.of(index.shape(), index);
        if (l.numel() == 0) {
            return null;
        }
        // A fresh flag per call, so that concurrent callers never share one.
        ClBuffer flag = runtime.pool.allocate(Integer.BYTES, true);
        new Launch(runtime, "indexing", ClTypes.operand("IDX", index.dtype()), "check_range")
                .buffer(index).struct(l.view(0)).struct(l.shape()).i64(lo).i64(hi).buffer(flag)
                .run1d(Grid.items(l.numel()), Grid.GROUP);
        if (readInt(flag) == 0) {
            return null;
        }
        long[] values = index.toLongArray();
        for (int i = 0; i < values.length; i++) {
            if (values[i] < lo || values[i] >= hi) {
                return new Outside(i, values[i]);
            }
        }
        throw new IllegalStateException("opencl: check_range flagged an index that the host finds in range");
    }

    private int readInt(ClBuffer buffer) {
        MemorySegment host = Arena.ofAuto().allocate(ValueLayout.JAVA_INT);
        runtime.read(buffer.handle(), 0, host, Integer.BYTES);
        return host.get(ValueLayout.JAVA_INT, 0);
    }
}
