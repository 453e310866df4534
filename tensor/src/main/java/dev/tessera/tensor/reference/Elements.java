package dev.tessera.tensor.reference;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * One tensor's elements, addressed by coordinates and read or written through its dtype. This is
 * the only place the reference backend turns coordinates into storage offsets, so every op can be
 * written as plain loops over coordinates, whatever the view's strides and offset.
 */
final class Elements {
    private final MemorySegment segment;
    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final long offset;

    Elements(Tensor t) {
        this.segment = t.storage().segment();
        this.dtype = t.dtype();
        this.shape = t.shape();
        this.strides = t.strides();
        this.offset = t.offset();
    }

    /** True for the float dtypes, whose values travel as doubles; the others travel as exact longs. */
    boolean isFloating() {
        return dtype.isFloating();
    }

    long size(int dim) {
        return shape[dim];
    }

    long numel() {
        return Shape.numel(shape);
    }

    /** The coordinates of element {@code linear} of this tensor, counted in row-major order. */
    long[] coords(long linear) {
        return coords(shape, linear);
    }

    /** The coordinates of element {@code linear} of a tensor of {@code shape}, counted in row-major order. */
    static long[] coords(long[] shape, long linear) {
        long[] c = new long[shape.length];
        long rest = linear;
        for (int d = shape.length - 1; d >= 0; d--) {
            c[d] = rest % shape[d];
            rest /= shape[d];
        }
        return c;
    }

    /** A copy of {@code c} with coordinate {@code dim} set to {@code value}: a step along one dim. */
    static long[] with(long[] c, int dim, long value) {
        long[] moved = c.clone();
        moved[dim] = value;
        return moved;
    }

    /** The storage offset, in elements, of the element at {@code c}. */
    long offsetOf(long[] c) {
        long at = offset;
        for (int d = 0; d < c.length; d++) {
            at += c[d] * strides[d];
        }
        return at;
    }

    double get(long[] c) {
        return dtype.read(segment, offsetOf(c));
    }

    /** The element as a long: exact for the integer dtypes and BOOL. */
    long getLong(long[] c) {
        return dtype.readLong(segment, offsetOf(c));
    }

    void set(long[] c, double value) {
        dtype.write(segment, offsetOf(c), value);
    }

    /** Stores an integer exactly (I64 beyond 2^53 included); a float dtype rounds it once. */
    void setLong(long[] c, long value) {
        dtype.writeLong(segment, offsetOf(c), value);
    }

    /**
     * Stores the element {@code src[from]} at {@code to}, converting as a cast does: a float source
     * through a double, an integer or BOOL source as a long (exact, or rounded once into a float).
     */
    void setFrom(long[] to, Elements src, long[] from) {
        if (src.isFloating()) {
            set(to, src.get(from));
        } else {
            setLong(to, src.getLong(from));
        }
    }
}
