package dev.tessera.tensor.cpu;

import dev.tessera.tensor.MemoryStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread staging buffers: strided or non-F32 data is converted into one of these, computed on
 * by the contiguous kernels, and converted back. Float slots are native segments (so that the F32
 * kernels only ever see native segments); double and long slots are arrays for the scalar paths.
 * Buffers grow on demand and are kept, so a thread allocates only when it meets a bigger job.
 * Kernels that size their working arrays per call (attention's blocks) create them with
 * {@link #newFloats} and {@link #newDoubles}. Every buffer made here is counted in
 * {@link MemoryStats#scratchBytes()}, so that a test can bound a kernel's working memory.
 */
final class Scratch {
    /** Elements staged at a time by the elementwise paths: small enough to stay in L1. */
    static final int BLOCK = 1024;
    private static final int SLOTS = 4;
    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private final MemorySegment[] floats = new MemorySegment[SLOTS];
    private final double[][] doubles = new double[SLOTS][];
    private final long[][] longs = new long[SLOTS][];

    private Scratch() {}

    /** This thread's buffers. */
    static Scratch get() {
        return LOCAL.get();
    }

    /** A new working array of {@code n} floats, counted. */
    static float[] newFloats(int n) {
        MemoryStats.countScratch((long) n * Float.BYTES);
        return new float[n];
    }

    /** A new working array of {@code n} doubles, counted. */
    static double[] newDoubles(int n) {
        MemoryStats.countScratch((long) n * Double.BYTES);
        return new double[n];
    }

    /** Float slot {@code slot}, with room for at least {@code n} floats. */
    MemorySegment floats(int slot, long n) {
        MemorySegment s = floats[slot];
        if (s == null || s.byteSize() < n * Float.BYTES) {
            long bytes = Math.max(n, BLOCK) * Float.BYTES;
            MemoryStats.countScratch(bytes);
            s = Arena.ofAuto().allocate(bytes, 64);
            floats[slot] = s;
        }
        return s;
    }

    /** Double slot {@code slot}, with room for at least {@code n} doubles. */
    double[] doubles(int slot, int n) {
        double[] a = doubles[slot];
        if (a == null || a.length < n) {
            a = newDoubles(Math.max(n, BLOCK));
            doubles[slot] = a;
        }
        return a;
    }

    /** Long slot {@code slot}, with room for at least {@code n} longs. */
    long[] longs(int slot, int n) {
        long[] a = longs[slot];
        if (a == null || a.length < n) {
            int length = Math.max(n, BLOCK);
            MemoryStats.countScratch((long) length * Long.BYTES);
            a = new long[length];
            longs[slot] = a;
        }
        return a;
    }
}
