package dev.tessera.opencl;

import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The index maps of views of one shape, as the kernels' {@code shape_t} and {@code view_t}
 * structs (common.cl). Dims are coalesced first: size-1 dims dropped, neighbours that every
 * operand steps through evenly merged, so contiguous operands are rank 1 and the kernel skips the
 * division per dim. At most {@value #MAX_RANK} dims remain; more is refused.
 *
 * <pre>
 * typedef struct { int rank; int unused; long numel; long size[8]; } shape_t;    // 80 bytes
 * typedef struct { long offset; long stride[8]; } view_t;                      // 72 bytes
 * </pre>
 */
final class KernelLayout {
    static final int MAX_RANK = 8;
    static final long SHAPE_BYTES = 16 + 8L * MAX_RANK;
    static final long VIEW_BYTES = 8 + 8L * MAX_RANK;

    private final long[] size;
    private final long[][] strides;
    private final long[] offsets;
    private final long numel;

    private KernelLayout(long[] size, long[][] strides, long[] offsets, long numel) {
        this.size = size;
        this.strides = strides;
        this.offsets = offsets;
        this.numel = numel;
    }

    /** The coalesced layout of {@code tensors}, which all have {@code shape}. */
    static KernelLayout of(long[] shape, Tensor... tensors) {
        int operands = tensors.length;
        long[] s = new long[Math.max(1, shape.length)];
        long[][] st = new long[operands][s.length];
        int rank = 0;
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            boolean merge = rank > 0;
            for (int k = 0; k < operands && merge; k++) {
                merge = st[k][rank - 1] == tensors[k].strides()[d] * shape[d];
            }
            if (merge) {
                s[rank - 1] *= shape[d];
                for (int k = 0; k < operands; k++) {
                    st[k][rank - 1] = tensors[k].strides()[d];
                }
            } else {
                if (rank == MAX_RANK) {
                    throw new IllegalArgumentException("opencl: views with more than " + MAX_RANK
                            + " dims that cannot be merged are not supported (shape " + java.util.Arrays.toString(shape)
                            + "); make the tensor contiguous first");
                }
                s[rank] = shape[d];
                for (int k = 0; k < operands; k++) {
                    st[k][rank] = tensors[k].strides()[d];
                }
                rank++;
            }
        }
        if (rank == 0) {
            s[0] = 1;
            rank = 1;
        }
        long[] offsets = new long[operands];
        long[][] strides = new long[operands][];
        for (int k = 0; k < operands; k++) {
            offsets[k] = tensors[k].offset();
            strides[k] = java.util.Arrays.copyOf(st[k], rank);
        }
        return new KernelLayout(java.util.Arrays.copyOf(s, rank), strides, offsets, n);
    }

    long numel() {
        return numel;
    }

    /** The {@code shape_t} struct. */
    MemorySegment shape() {
        MemorySegment m = MemorySegment.ofArray(new long[(int) (SHAPE_BYTES / 8)]);
        m.set(ValueLayout.JAVA_INT, 0, size.length);
        m.set(ValueLayout.JAVA_LONG, 8, numel);
        for (int d = 0; d < size.length; d++) {
            m.set(ValueLayout.JAVA_LONG, 16 + 8L * d, size[d]);
        }
        return m;
    }

    /** The {@code view_t} struct of operand {@code k}. */
    MemorySegment view(int k) {
        MemorySegment m = MemorySegment.ofArray(new long[(int) (VIEW_BYTES / 8)]);
        m.set(ValueLayout.JAVA_LONG, 0, offsets[k]);
        for (int d = 0; d < strides[k].length; d++) {
            m.set(ValueLayout.JAVA_LONG, 8 + 8L * d, strides[k][d]);
        }
        return m;
    }
}
