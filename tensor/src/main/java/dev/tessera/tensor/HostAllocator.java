package dev.tessera.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A caching allocator for host memory. Page faults are expensive on the machines Tessera runs on
 * (see BENCHMARKING.md), so big blocks are not handed back to the OS when their tensor dies:
 * a {@link Cleaner} returns them to a pool keyed by size class, and the next allocation of that
 * class reuses them. Small blocks come from the garbage-collected automatic arena.
 */
final class HostAllocator {
    /** Blocks below this size are not pooled: the GC handles them well enough. */
    static final long POOL_THRESHOLD = 1 << 20;
    /** Most bytes kept idle in the pool; beyond it, freed blocks go back to the OS. */
    static final long POOL_LIMIT = Long.getLong("tessera.pool.limitBytes", 2L << 30);
    private static final long ALIGNMENT = 64;

    private static final Cleaner CLEANER = Cleaner.create();
    private static final Map<Long, ArrayDeque<Block>> FREE = new HashMap<>();
    /** Pooled blocks in use, by address, so that a cleaner can find the block to return. */
    private static final Map<Long, Block> LIVE = new ConcurrentHashMap<>();
    private static long idleBytes;

    private record Block(Arena arena, MemorySegment segment) {}

    private HostAllocator() {}

    static MemorySegment allocate(long byteSize, boolean zeroed) {
        if (byteSize < POOL_THRESHOLD) {
            return Arena.ofAuto().allocate(Math.max(byteSize, 1), ALIGNMENT).asSlice(0, byteSize);
        }
        long sizeClass = sizeClass(byteSize);
        Block block = take(sizeClass);
        if (block == null) {
            Arena arena = Arena.ofShared();
            block = new Block(arena, arena.allocate(sizeClass, ALIGNMENT));
        } else if (zeroed) {
            block.segment.fill((byte) 0);
        }
        LIVE.put(block.segment.address(), block);
        return block.segment.asSlice(0, byteSize);
    }

    /** Registers {@code owner} so that its pooled block returns to the pool when the owner is collected. */
    static void recycleWhenUnreachable(Object owner, MemorySegment segment) {
        if (segment.byteSize() < POOL_THRESHOLD) {
            return;
        }
        long address = segment.address();
        CLEANER.register(owner, () -> release(LIVE.remove(address)));
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

    private static synchronized void release(Block block) {
        if (block == null) {
            return;
        }
        long size = block.segment.byteSize();
        if (idleBytes + size > POOL_LIMIT) {
            block.arena.close();
            return;
        }
        FREE.computeIfAbsent(size, s -> new ArrayDeque<>()).push(block);
        idleBytes += size;
    }
}
