package dev.tessera.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A caching allocator for host memory. Page faults are expensive on the machines Tessera runs on
 * (see BENCHMARKING.md), so big blocks are not handed back to the OS when their tensor dies: they
 * return to a pool keyed by size class, and the next allocation of that class reuses them. Small
 * blocks come from the garbage-collected automatic arena.
 *
 * <p>Collection: blocks return only when the GC finds their tensors dead, and a loop of tensor
 * ops makes almost no Java garbage, so the GC may not run for a long time while native memory
 * grows. So when the bytes handed out and not yet returned pass a threshold, a pool miss asks
 * for a collection and waits for the cleaner thread to return the dead blocks (as the JDK does for
 * direct buffers), no longer than it takes the cleaner to reach them. The threshold adapts to
 * twice what stayed live: the least live bytes seen since the last collection began. That least
 * value is only known once the cleaner thread has returned the dead blocks, which goes on after
 * the collecting thread has stopped waiting, so it is read at the next miss, not right after the
 * collection (where it would be the bytes still waiting for the cleaner, and the threshold would
 * double at every collection).
 *
 * <p>Lifetime: a pooled block is handed out as a segment of its own automatic arena, whose
 * cleanup action returns the block to the pool. The JDK keeps that arena alive while any segment
 * derived from it (slices included) is reachable, so a kernel holding only a slice of a
 * temporary tensor's memory can never see the block reused under it.
 *
 * <p>Every block, pooled or not, is counted in {@link MemoryAccount} while it is handed out.
 */
final class HostAllocator {
    /** Blocks below this size are not pooled: the GC handles them well enough. */
    static final long POOL_THRESHOLD = 1 << 20;
    /** Most bytes kept idle in the pool; beyond it, freed blocks go back to the OS. */
    static final long POOL_LIMIT = Long.getLong("tessera.pool.limitBytes", 2L << 30);
    private static final long ALIGNMENT = 64;

    /** Live pooled bytes that trigger a collection on a pool miss, at the least. */
    static final long GC_THRESHOLD = Long.getLong("tessera.pool.gcThresholdBytes", 1L << 30);

    /** The longest a collection waits for the cleaner to reach the blocks it found dead. */
    private static final long MAX_WAIT_MILLIS = 250;

    private static final Map<Long, ArrayDeque<Block>> FREE = new HashMap<>();
    private static long idleBytes;
    /** Pooled bytes handed out and not yet returned. */
    private static long liveBytes;
    /** The least {@link #liveBytes} since the last collection began; before the first one, none. */
    private static long liveFloor = -1;

    /** A pooled block: its memory, and the arena that frees it for good. */
    private record Block(Arena arena, MemorySegment segment) {}

    private HostAllocator() {}

    static MemorySegment allocate(long byteSize, boolean zeroed) {
        if (byteSize < POOL_THRESHOLD) {
            long size = Math.max(byteSize, 1);
            Arena arena = Arena.ofAuto();
            MemorySegment segment = arena.allocate(size, ALIGNMENT);
            int epoch = MemoryAccount.allocated(size);
            return segment.reinterpret(byteSize, arena, unused -> MemoryAccount.released(size, epoch));
        }
        long sizeClass = sizeClass(byteSize);
        Block taken = take(sizeClass);
        if (taken == null && worthCollecting()) {
            taken = collectAndTake(sizeClass);
        }
        if (taken == null) {
            Arena arena = Arena.ofShared();
            taken = new Block(arena, arena.allocate(sizeClass, ALIGNMENT));
        } else if (zeroed) {
            taken.segment.fill((byte) 0);
        }
        Block block = taken;
        synchronized (HostAllocator.class) {
            liveBytes += sizeClass;
        }
        int epoch = MemoryAccount.allocated(sizeClass);
        return block.segment.reinterpret(byteSize, Arena.ofAuto(), unused -> release(block, epoch));
    }

    /** Whether live pooled bytes are above twice what stayed live after the last collection (and the minimum). */
    private static synchronized boolean worthCollecting() {
        return liveBytes > Math.max(GC_THRESHOLD, 2 * liveFloor);
    }

    /**
     * Asks the GC to find dead tensors, waits until the cleaner has reached what it found (at most
     * {@link #MAX_WAIT_MILLIS}), then retries the pool. A sentinel arena dropped just before the
     * collection dies in it too, and its cleanup runs on the cleaner thread that returns the blocks:
     * when it has run, the collection's returns are done or under way, so a collection that found
     * nothing costs the collection alone, not a wait for blocks that will never come.
     */
    private static Block collectAndTake(long sizeClass) {
        synchronized (HostAllocator.class) {
            liveFloor = liveBytes;
        }
        CountDownLatch cleaned = new CountDownLatch(1);
        dropSentinel(cleaned);
        System.gc();
        try {
            cleaned.await(MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Returns queued behind the sentinel may still be running: wait while they go on.
        long seen = liveBytes();
        Block block = take(sizeClass);
        for (int wait = 0; block == null && wait < 16; wait++) {
            sleep(1);
            long now = liveBytes();
            if (now == seen) {
                break;
            }
            seen = now;
            block = take(sizeClass);
        }
        return block;
    }

    /** Makes an unreachable automatic arena whose cleanup counts {@code cleaned} down. */
    private static void dropSentinel(CountDownLatch cleaned) {
        MemorySegment.NULL.reinterpret(0, Arena.ofAuto(), unused -> cleaned.countDown());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static synchronized long liveBytes() {
        return liveBytes;
    }

    /** Size classes are powers of two split in four steps, so at most 25% is wasted. */
    static long sizeClass(long byteSize) {
        long pow = Long.highestOneBit(byteSize - 1) << 1;
        long step = pow / 8;
        return (byteSize + step - 1) / step * step;
    }

    private static synchronized Block take(long sizeClass) {
        ArrayDeque<Block> free = FREE.get(sizeClass);
        Block block = free == null ? null : free.poll();
        if (block != null) {
            idleBytes -= sizeClass;
        }
        return block;
    }

    private static synchronized void release(Block block, int epoch) {
        long size = block.segment.byteSize();
        liveBytes -= size;
        liveFloor = Math.min(liveFloor, liveBytes);
        MemoryAccount.released(size, epoch);
        if (idleBytes + size > POOL_LIMIT) {
            block.arena.close();
            return;
        }
        FREE.computeIfAbsent(size, s -> new ArrayDeque<>()).push(block);
        idleBytes += size;
    }
}
