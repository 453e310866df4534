package dev.tessera.tests.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tessera.tensor.MemoryStats;
import dev.tessera.tensor.Storage;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * The caching host allocator, seen through the public API: a block of 1 MiB or more goes back to
 * a pool when its storage is collected, and the next request of the same size class gets the same
 * address. Collection and the cleaner thread are asynchronous, so the test asks for a GC and then
 * polls, with bounds; blocks that miss are kept alive so that they cannot come back to the pool
 * and blur the result. The size classes used here are unusual, so blocks freed by other tests
 * are unlikely to be in the same class. Then its statistics ({@link MemoryStats}): a block counts
 * by its size class while handed out, and a block that comes back during a measurement leaves it,
 * while one allocated before the measurement leaves it untouched.
 */
class HostAllocatorTest {
    private static final long MIB = 1 << 20;

    /** Allocates, remembers the address, and lets the storage become unreachable when this returns. */
    private static long allocateAndDrop(LongFunction<Storage> allocate, long bytes, List<WeakReference<Storage>> dropped) {
        Storage storage = allocate.apply(bytes);
        storage.segment().fill((byte) 0x5A); // dirty, so that a zeroed reuse has work to do
        dropped.add(new WeakReference<>(storage));
        return storage.segment().address();
    }

    private static void awaitCollected(List<WeakReference<Storage>> dropped) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            System.gc();
            if (dropped.stream().allMatch(r -> r.get() == null)) {
                return;
            }
            Thread.sleep(10);
        }
        fail("a dropped storage was not collected within a few seconds of System.gc()");
    }

    /** Allocates until the cleaner has returned the block at {@code address}; the misses stay in {@code keep}. */
    private static Storage allocateUntilReused(long address, LongFunction<Storage> allocate, long bytes,
            List<Object> keep) throws InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            Storage s = allocate.apply(bytes);
            if (s.segment().address() == address) {
                return s;
            }
            keep.add(s);
            Thread.sleep(20);
        }
        return null;
    }

    private static boolean allZero(MemorySegment segment) {
        return segment.mismatch(MemorySegment.ofArray(new byte[(int) segment.byteSize()])) == -1;
    }

    @Test
    void aFreedBlockServesTheNextRequestOfItsSizeClassZeroed() throws InterruptedException {
        List<WeakReference<Storage>> dropped = new ArrayList<>();
        List<Object> keep = new ArrayList<>();
        // 3 MiB + 12345 and 3 MiB + 1 fall in one size class (3.5 MiB); 4 MiB + 1 does not.
        long address = allocateAndDrop(b -> Storage.allocate(b, false), 3 * MIB + 12345, dropped);
        awaitCollected(dropped);
        Storage otherClass = Storage.allocate(4 * MIB + 1, false);
        keep.add(otherClass);
        Storage reused = allocateUntilReused(address, b -> Storage.allocate(b, true), 3 * MIB + 1, keep);
        assertNotNull(reused, "the freed block was not reused");
        assertNotEquals(address, otherClass.segment().address(), "a block serves only its own size class");
        assertEquals(3 * MIB + 1, reused.byteSize(), "the storage has the size asked for, not the class size");
        assertTrue(allZero(reused.segment()), "a zeroed allocation is zero even when its block was used before");
    }

    @Test
    void zerosOverAReusedBlockAreZero() throws InterruptedException {
        List<WeakReference<Storage>> dropped = new ArrayList<>();
        List<Object> keep = new ArrayList<>();
        long n = 1_500_000; // F32: 5.7 MiB, size class 6 MiB
        long address = allocateAndDrop(count -> Tensor.full(7, count).storage(), n, dropped);
        awaitCollected(dropped);
        Storage reused = allocateUntilReused(address, count -> Tensor.zeros(count).storage(), n, keep);
        assertNotNull(reused, "the freed block was not reused");
        assertTrue(allZero(reused.segment()));
    }

    @Test
    void smallStoragesAreZeroToo() {
        // Below 1 MiB storage comes from the garbage-collected arena, which zeroes.
        for (int i = 0; i < 50; i++) {
            Storage s = Storage.allocate(1000 + i, true);
            assertEquals(1000 + i, s.byteSize());
            assertTrue(allZero(s.segment()));
            s.segment().fill((byte) 1);
        }
        assertEquals(0, Storage.allocate(0, true).byteSize());
    }

    @Test
    void statisticsCountEveryStorageByItsBlock() {
        MemoryStats.reset();
        assertEquals(0, MemoryStats.now().peakBytes());
        Storage small = Storage.allocate(1000, false);
        Storage empty = Storage.allocate(0, false); // still one byte of memory
        Storage pooled = Storage.allocate(2 * MIB + 1, false); // size class 2.5 MiB
        MemoryStats stats = MemoryStats.now();
        long expected = 1000 + 1 + 2 * MIB + MIB / 2;
        assertEquals(expected, stats.peakBytes());
        assertEquals(0, stats.scratchBytes());
        assertTrue(stats.liveBytes() >= expected, "live " + stats.liveBytes() + " misses storages that are live");
        Reference.reachabilityFence(small);
        Reference.reachabilityFence(empty);
        Reference.reachabilityFence(pooled);
        MemoryStats.reset();
        assertEquals(0, MemoryStats.now().peakBytes(), "a reset forgets the blocks allocated before it");
    }

    @Test
    void aBlockReturnedDuringAMeasurementLeavesIt() throws InterruptedException {
        List<WeakReference<Storage>> dropped = new ArrayList<>();
        List<Object> keep = new ArrayList<>();
        long bytes = 9 * MIB + 5; // size class 10 MiB
        MemoryStats.reset();
        long address = allocateAndDrop(b -> Storage.allocate(b, false), bytes, dropped);
        awaitCollected(dropped);
        Storage reused = allocateUntilReused(address, b -> Storage.allocate(b, false), bytes, keep);
        assertNotNull(reused, "the freed block was not reused");
        // The block came back before its reuse, so at no time were more than the misses and the reuse live.
        assertEquals((keep.size() + 1) * 10 * MIB, MemoryStats.now().peakBytes());
    }

    @Test
    void aBlockFromBeforeTheMeasurementDoesNotLowerIt() throws InterruptedException {
        List<WeakReference<Storage>> dropped = new ArrayList<>();
        List<Object> keep = new ArrayList<>();
        long bytes = 11 * MIB + 5; // size class 12 MiB
        long address = allocateAndDrop(b -> Storage.allocate(b, false), bytes, dropped);
        MemoryStats.reset();
        Storage measured = Storage.allocate(1000, false);
        awaitCollected(dropped);
        Storage reused = allocateUntilReused(address, b -> Storage.allocate(b, false), bytes, keep);
        assertNotNull(reused, "the freed block was not reused");
        // Its return was not taken off the measurement, so everything allocated since the reset counts.
        assertEquals(1000 + (keep.size() + 1) * 12 * MIB, MemoryStats.now().peakBytes());
        Reference.reachabilityFence(measured);
    }
}
