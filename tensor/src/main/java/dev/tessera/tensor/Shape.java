package dev.tessera.tensor;

import java.util.Arrays;

/** Shape arithmetic on {@code long[]} sizes: element counts, strides, broadcasting, dim checks. */
public final class Shape {
    /** Most elements a new tensor may have, so that its size in bytes (up to 8 per element) fits a long. */
    static final long MAX_NUMEL = Long.MAX_VALUE / Long.BYTES;

    private Shape() {}

    /** The number of elements of a tensor of this shape (1 for a scalar, 0 if any size is 0). */
    public static long numel(long[] shape) {
        for (long s : shape) {
            if (s == 0) {
                return 0; // checked before multiplying: the sizes before a 0 may overflow on their own
            }
        }
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /** Row-major strides, in elements, of a contiguous tensor of this shape. */
    public static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= Math.max(shape[d], 1);
        }
        return strides;
    }

    /** True if these strides walk the shape in row-major order without gaps (size-1 dims may have any stride). */
    public static boolean isContiguous(long[] shape, long[] strides) {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) {
                return true;
            }
            if (shape[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /**
     * The NumPy broadcast of two shapes: align on the right, sizes must match or one must be 1.
     *
     * @throws IllegalArgumentException naming {@code op} and both shapes when they do not broadcast
     */
    public static long[] broadcast(String op, long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long sa = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long sb = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (sa != sb && sa != 1 && sb != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " do not broadcast (dim " + i + " of the result: " + sa + " vs " + sb + ")");
            }
            out[i] = sa == 1 ? sb : sa;
        }
        return out;
    }

    /**
     * Turns a possibly negative dim into an index in {@code [0, rank)}.
     *
     * @throws IllegalArgumentException naming {@code op} and the shape when the dim is out of range
     */
    public static int dim(String op, int dim, long[] shape) {
        int rank = shape.length;
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            String expected = rank == 0 ? "a 0-d tensor has no dims" : "expected a dim in [" + (-rank) + ", " + (rank - 1) + "]";
            throw new IllegalArgumentException(op + ": dim " + dim + " is out of range for a tensor of shape "
                    + str(shape) + " (" + expected + ")");
        }
        return d;
    }

    /**
     * Turns the position of a NEW dim (unsqueeze, stack) into an index in {@code [0, rank]};
     * negative positions count from the end of the result.
     */
    public static int newDim(String op, int dim, long[] shape) {
        int rank = shape.length;
        if (dim < -rank - 1 || dim > rank) {
            throw new IllegalArgumentException(op + ": dim " + dim + " is out of range for a tensor of shape "
                    + str(shape) + " (expected a dim in [" + (-rank - 1) + ", " + rank + "])");
        }
        return dim < 0 ? dim + rank + 1 : dim;
    }

    /** The shape as {@code [2, 3, 4]}. */
    public static String str(long[] shape) {
        return Arrays.toString(shape);
    }

    /**
     * Checks sizes are non-negative ({@code -1} is not accepted here, see {@code reshape}) and that
     * the element count leaves the byte size of the storage representable.
     */
    public static long[] checked(String op, long... shape) {
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException(op + ": negative size in shape " + str(shape));
            }
        }
        if (Arrays.stream(shape).noneMatch(s -> s == 0)) {
            long n = 1;
            for (long s : shape) {
                if (n > MAX_NUMEL / s) {
                    throw new IllegalArgumentException(op + ": shape " + str(shape) + " has more than " + MAX_NUMEL
                            + " elements");
                }
                n *= s;
            }
        }
        return shape.clone();
    }
}
