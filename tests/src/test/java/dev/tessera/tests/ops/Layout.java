package dev.tessera.tests.ops;

/**
 * How an input sits in memory. Every layout holds the same kind of values; the non-contiguous
 * ones send kernels down their strided paths. A layout that a shape cannot have (a transposed
 * vector) falls back to the next simpler one, see {@link #effectiveFor}.
 */
enum Layout {
    /** Row-major, no gaps, offset 0. */
    CONTIGUOUS,
    /** The dims reversed in memory and permuted back: for a matrix, a transposed view. */
    TRANSPOSED,
    /** Every other element of a larger tensor along the last dim, starting one row in along the first. */
    SLICED,
    /** Some dims broadcast from size 1 (stride 0); the values are constant along them. */
    EXPANDED;

    /** The layout a tensor of this shape actually gets. */
    Layout effectiveFor(long[] shape) {
        return switch (this) {
            case CONTIGUOUS -> CONTIGUOUS;
            case TRANSPOSED -> shape.length >= 2 ? TRANSPOSED : SLICED.effectiveFor(shape);
            case SLICED -> shape.length >= 1 ? SLICED : CONTIGUOUS;
            case EXPANDED -> Shapes.hasDimAbove1(shape) ? EXPANDED : SLICED.effectiveFor(shape);
        };
    }
}
