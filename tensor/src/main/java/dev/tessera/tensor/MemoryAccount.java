package dev.tessera.tensor;

/**
 * The counters behind {@link MemoryStats}. A measurement is an epoch: {@link #reset} starts a new
 * one, and a block counts towards the epoch's current and peak bytes only if it was allocated in
 * that epoch, so the GC returning older blocks mid-measurement cannot hide what the measured code
 * allocated. One lock, a few adds per allocation: cheap beside the allocation itself.
 */
final class MemoryAccount {
    private static long liveBytes;
    private static long epochBytes;
    private static long peakBytes;
    private static long scratchBytes;
    private static int epoch;

    private MemoryAccount() {}

    /** Counts {@code bytes} of tensor memory handed out; returns the epoch to pass to {@link #released}. */
    static synchronized int allocated(long bytes) {
        liveBytes += bytes;
        epochBytes += bytes;
        peakBytes = Math.max(peakBytes, epochBytes);
        return epoch;
    }

    /** Uncounts {@code bytes} of tensor memory allocated in epoch {@code allocatedIn}, now returned. */
    static synchronized void released(long bytes, int allocatedIn) {
        liveBytes -= bytes;
        if (allocatedIn == epoch) {
            epochBytes -= bytes;
        }
    }

    static synchronized void scratch(long bytes) {
        scratchBytes += bytes;
    }

    static synchronized void reset() {
        epoch++;
        epochBytes = 0;
        peakBytes = 0;
        scratchBytes = 0;
    }

    static synchronized MemoryStats snapshot() {
        return new MemoryStats(liveBytes, peakBytes, scratchBytes);
    }
}
