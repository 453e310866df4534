package dev.tessera.opencl;

/** Work sizes for the grid-stride kernels (FOR_EACH in common.cl). */
final class Grid {
    /** Work items per group for elementwise kernels. */
    static final long GROUP = 256;
    /** Most work items launched; each loops over its share beyond that. */
    private static final long MAX_ITEMS = 256L * 4096;

    private Grid() {}

    /** Work items for {@code n} elements: one each, up to the cap. */
    static long items(long n) {
        return Math.min(Math.max(n, 1), MAX_ITEMS);
    }
}
