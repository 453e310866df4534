package dev.tessera.tensor;

/**
 * Diagnostic counts of the host memory that tensors and CPU kernels use, for the tests and
 * benchmarks that check an op's memory promise (attention never holds its N x N scores). Tensor
 * memory is counted when {@link Storage#allocate} hands it out and uncounted when the GC returns
 * it. Kernels' working buffers (heap arrays, and the cpu backend's staging segments) die
 * unobserved, so they are counted when created: what a kernel asked for, an upper bound on what
 * it held at once.
 *
 * <p>To measure an op: {@link #reset()}, run it, then {@link #now()}; {@code peakBytes() +
 * scratchBytes()} bounds the memory it took, its outputs included. The counts are global: another
 * thread allocating meanwhile adds to them.
 *
 * @param liveBytes tensor memory handed out and not yet returned (a pooled block by its size
 *     class); a dead tensor stays counted until the GC finds it
 * @param peakBytes the most tensor memory allocated since the last {@link #reset()} that was live
 *     at one time
 * @param scratchBytes the bytes of the working buffers kernels created since the last reset
 */
public record MemoryStats(long liveBytes, long peakBytes, long scratchBytes) {
    /** The counts now. */
    public static MemoryStats now() {
        return MemoryAccount.snapshot();
    }

    /** Starts a measurement: peak and scratch bytes restart from 0, and only later allocations count towards them. */
    public static void reset() {
        MemoryAccount.reset();
    }

    /** For backends: counts a working buffer of {@code bytes} that a kernel created. */
    public static void countScratch(long bytes) {
        MemoryAccount.scratch(bytes);
    }
}
