package dev.tessera.tests.ops;

/** The deliberate shapes every op meets on every run, whatever the random properties draw. */
enum EdgeShape {
    EMPTY(Layout.CONTIGUOUS, 0),
    SCALAR(Layout.CONTIGUOUS),
    ONE(Layout.CONTIGUOUS, 1),
    LANES_16(Layout.CONTIGUOUS, 16),
    LANES_17(Layout.CONTIGUOUS, 17),
    TRANSPOSED_MATRIX(Layout.TRANSPOSED, 5, 7);

    /** Fixed, so that an edge case is the same call on every run. */
    static final long SEED = 20_240_917;

    private final Layout layout;
    private final long[] shape;

    EdgeShape(Layout layout, long... shape) {
        this.layout = layout;
        this.shape = shape;
    }

    Layout layout() {
        return layout;
    }

    /** The shape, with leading dims of size 1 added up to {@code minRank} (a scalar becomes {@code [1]} for softmax). */
    long[] shapeFor(int minRank) {
        long[] out = shape;
        while (out.length < minRank) {
            out = Shapes.with(out, 0, 1);
        }
        return out;
    }
}
