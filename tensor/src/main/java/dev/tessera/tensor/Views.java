package dev.tessera.tensor;

import java.util.Arrays;

/** The shape and stride arithmetic of views: nothing here touches data. */
final class Views {
    private Views() {}

    /** Fills in a single {@code -1} of a requested shape from the element count. */
    static long[] inferShape(String op, long[] requested, long numel, long[] from) {
        long[] shape = requested.clone();
        int unknown = -1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException(op + ": only one dim may be -1, got " + Shape.str(requested));
                }
                unknown = d;
            } else if (shape[d] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + shape[d] + " in " + Shape.str(requested));
            }
        }
        long known;
        try {
            known = Shape.numel(unknown >= 0 ? without(shape, unknown) : shape);
        } catch (ArithmeticException overflow) {
            throw new IllegalArgumentException(op + ": cannot reshape " + Shape.str(from) + " (" + numel
                    + " elements) into " + Shape.str(requested) + " (more than 2^63 elements)");
        }
        if (unknown >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException(op + ": cannot reshape " + Shape.str(from) + " (" + numel
                        + " elements) into " + Shape.str(requested));
            }
            shape[unknown] = numel / known;
        } else if (known != numel) {
            throw new IllegalArgumentException(op + ": cannot reshape " + Shape.str(from) + " (" + numel
                    + " elements) into " + Shape.str(requested) + " (" + known + " elements)");
        }
        return shape;
    }

    /**
     * Strides that let a tensor of {@code oldShape}/{@code oldStrides} be seen as {@code newShape}
     * without copying, or null when its memory layout does not allow it. Works chunk by chunk:
     * a run of old dims that is contiguous in memory can be re-split freely.
     */
    static long[] viewStrides(long[] oldShape, long[] oldStrides, long[] newShape) {
        if (Shape.numel(oldShape) == 0 || oldShape.length == 0) {
            return Shape.contiguousStrides(newShape);
        }
        long[] newStrides = new long[newShape.length];
        int viewDim = newShape.length - 1;
        long chunkBaseStride = oldStrides[oldStrides.length - 1];
        long chunkNumel = 1;
        long viewNumel = 1;
        for (int d = oldShape.length - 1; d >= 0; d--) {
            chunkNumel *= oldShape[d];
            boolean chunkEnds = d == 0
                    || (oldShape[d - 1] != 1 && oldStrides[d - 1] != chunkNumel * chunkBaseStride);
            if (!chunkEnds) {
                continue;
            }
            while (viewDim >= 0 && (viewNumel < chunkNumel || newShape[viewDim] == 1)) {
                newStrides[viewDim] = viewNumel * chunkBaseStride;
                viewNumel *= newShape[viewDim];
                viewDim--;
            }
            if (viewNumel != chunkNumel) {
                return null;
            }
            if (d > 0) {
                chunkBaseStride = oldStrides[d - 1];
                chunkNumel = 1;
                viewNumel = 1;
            }
        }
        return viewDim == -1 ? newStrides : null;
    }

    /** Checks that {@code dims} is a permutation of {@code 0..rank-1} (negative dims allowed) and normalises it. */
    static int[] permutation(String op, int[] dims, long[] shape) {
        if (dims.length != shape.length) {
            throw new IllegalArgumentException(op + ": got " + dims.length + " dims " + Arrays.toString(dims)
                    + " for a tensor of shape " + Shape.str(shape) + " (expected " + shape.length + ")");
        }
        int[] perm = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            perm[i] = Shape.dim(op, dims[i], shape);
            if (seen[perm[i]]) {
                throw new IllegalArgumentException(op + ": dim " + perm[i] + " repeats in " + Arrays.toString(dims));
            }
            seen[perm[i]] = true;
        }
        return perm;
    }

    /** Python slice semantics for one bound: negative counts from the end, then clamped to {@code [0, size]}. */
    static long clampIndex(long index, long size) {
        long i = index < 0 ? index + size : index;
        return Math.max(0, Math.min(size, i));
    }

    static long[] without(long[] array, int index) {
        long[] out = new long[array.length - 1];
        System.arraycopy(array, 0, out, 0, index);
        System.arraycopy(array, index + 1, out, index, array.length - index - 1);
        return out;
    }

    static long[] with(long[] array, int index, long value) {
        long[] out = new long[array.length + 1];
        System.arraycopy(array, 0, out, 0, index);
        out[index] = value;
        System.arraycopy(array, index, out, index + 1, array.length - index);
        return out;
    }
}
