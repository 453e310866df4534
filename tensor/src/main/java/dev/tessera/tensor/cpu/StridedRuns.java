package dev.tessera.tensor.cpu;

import java.util.Arrays;

/**
 * Walks one or more views of the same shape in lockstep, in row-major order, one run of the
 * innermost dim at a time. Dims are first coalesced: size-1 dims are dropped and neighbours that
 * every operand steps through evenly are merged, so a contiguous tensor is a single run and a
 * broadcast scalar is a run of stride 0. A {@link Cursor} walks any sub-range of the linear
 * element order, which is how work is split across threads.
 */
final class StridedRuns {
    private final long[] shape;
    private final long[][] strides;
    private final long[] offsets;
    private final long numel;

    /**
     * @param shape the common shape
     * @param strides one stride array per operand, in elements
     * @param offsets one start offset per operand, in elements
     */
    StridedRuns(long[] shape, long[][] strides, long[] offsets) {
        int operands = strides.length;
        long[] s = new long[Math.max(1, shape.length)];
        long[][] st = new long[operands][s.length];
        int rank = 0;
        long n = 1;
        for (long size : shape) {
            n *= size;
        }
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            boolean merge = rank > 0;
            for (int k = 0; k < operands && merge; k++) {
                merge = st[k][rank - 1] == strides[k][d] * shape[d];
            }
            if (merge) {
                s[rank - 1] *= shape[d];
                for (int k = 0; k < operands; k++) {
                    st[k][rank - 1] = strides[k][d];
                }
            } else {
                s[rank] = shape[d];
                for (int k = 0; k < operands; k++) {
                    st[k][rank] = strides[k][d];
                }
                rank++;
            }
        }
        if (rank == 0) {
            s[0] = 1;
            rank = 1;
        }
        this.shape = Arrays.copyOf(s, rank);
        this.strides = new long[operands][];
        for (int k = 0; k < operands; k++) {
            this.strides[k] = Arrays.copyOf(st[k], rank);
        }
        this.offsets = offsets.clone();
        this.numel = n;
    }

    /** The number of elements walked. */
    long numel() {
        return numel;
    }

    /** The number of coalesced dims (at least 1). */
    int rank() {
        return shape.length;
    }

    /** The size of coalesced dim {@code d}. */
    long size(int d) {
        return shape[d];
    }

    /** The stride of operand {@code k} along coalesced dim {@code d}. */
    long stride(int k, int d) {
        return strides[k][d];
    }

    /** The start offset of operand {@code k}. */
    long offset(int k) {
        return offsets[k];
    }

    /** The length of the innermost coalesced dim: the longest run. */
    long innerSize() {
        return shape[shape.length - 1];
    }

    /** The innermost stride of operand {@code k}. */
    long innerStride(int k) {
        return strides[k][shape.length - 1];
    }

    /** A cursor over linear elements {@code [start, end)}. */
    Cursor cursor(long start, long end) {
        return new Cursor(start, end);
    }

    /** Position and length of the current run; {@link #next()} moves to the following one. */
    final class Cursor {
        private final long[] index = new long[shape.length];
        private final long[] at = new long[offsets.length];
        private long linear;
        private final long end;
        private long length;

        private Cursor(long start, long end) {
            this.end = end;
            this.linear = start;
            if (start >= end) {
                return;
            }
            long rest = start;
            for (int d = shape.length - 1; d >= 0; d--) {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }
            for (int k = 0; k < at.length; k++) {
                long o = offsets[k];
                for (int d = 0; d < shape.length; d++) {
                    o += index[d] * strides[k][d];
                }
                at[k] = o;
            }
        }

        /** Advances to the next run; false when the range is done. The first call yields the first run. */
        boolean next() {
            if (length > 0) {
                advance(length);
            }
            if (linear >= end) {
                return false;
            }
            int inner = shape.length - 1;
            length = Math.min(shape[inner] - index[inner], end - linear);
            return true;
        }

        /** Elements in the current run. */
        long length() {
            return length;
        }

        /** Element offset of operand {@code k} at the start of the current run. */
        long offset(int k) {
            return at[k];
        }

        /** Element stride of operand {@code k} within the run. */
        long stride(int k) {
            return strides[k][shape.length - 1];
        }

        private void advance(long steps) {
            linear += steps;
            int d = shape.length - 1;
            index[d] += steps;
            for (int k = 0; k < at.length; k++) {
                at[k] += steps * strides[k][d];
            }
            while (d > 0 && index[d] == shape[d]) {
                for (int k = 0; k < at.length; k++) {
                    at[k] -= shape[d] * strides[k][d];
                    at[k] += strides[k][d - 1];
                }
                index[d] = 0;
                d--;
                index[d]++;
            }
        }
    }
}
