package dev.tessera.opencl;

import static org.lwjgl.opencl.CL10.*;
import static org.lwjgl.opencl.CL12.nclEnqueueFillBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device buffers by size class. A dead tensor's buffer returns here (through a {@link Cleaner})
 * and the next allocation of its class reuses it, because creating buffers is slow on some
 * drivers. Classes are four per doubling of size, from 256 bytes. Device memory is freed only by
 * the GC, which a loop of tensor ops hardly wakes, so when the bytes handed out pass a threshold
 * (twice what survived the last collection, at least 256 MiB) a miss asks for a collection and
 * waits briefly for the cleaner. An allocation the device refuses empties the pool, collects and
 * tries once more before it throws.
 */
final class BufferPool {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long MIN_CLASS = 256;
    private static final long MIN_GC_THRESHOLD = 256L << 20;
    /** Most bytes kept idle in the pool; beyond it, returned buffers are released. */
    private static final long IDLE_LIMIT = Long.getLong("tessera.opencl.poolLimitBytes", 1L << 30);

    private final ClRuntime runtime;
    private final Map<Long, ArrayDeque<Long>> idle = new HashMap<>();
    private long idleBytes;
    private long liveBytes;
    private int liveBuffers;
    private long gcThreshold = MIN_GC_THRESHOLD;

    BufferPool(ClRuntime runtime) {
        this.runtime = runtime;
    }

    /** A buffer of at least {@code byteSize} bytes, zero-filled when asked. */
    ClBuffer allocate(long byteSize, boolean zeroed) {
        long size = sizeClass(byteSize);
        if (size > runtime.maxAllocBytes) {
            throw new ClException(-61, "OpenCL device " + runtime.deviceName + " could not allocate " + byteSize
                    + " bytes: its largest buffer is " + runtime.maxAllocBytes + " bytes (CL_DEVICE_MAX_MEM_ALLOC_SIZE)");
        }
        long handle = take(size);
        if (handle == 0) {
            collectIfBusy();
            handle = take(size);
        }
        if (handle == 0) {
            handle = create(size);
        }
        ClBuffer buffer = new ClBuffer(handle, byteSize);
        CLEANER.register(buffer, new Release(this, handle, size));
        if (zeroed) {
            fill(handle, size);
        }
        return buffer;
    }

    /** Buffers handed out and not yet returned: the leak test's count. */
    synchronized int liveBuffers() {
        return liveBuffers;
    }

    synchronized long liveBytes() {
        return liveBytes;
    }

    /** Releases every idle buffer back to the driver. */
    synchronized void trim() {
        for (ArrayDeque<Long> handles : idle.values()) {
            for (long h : handles) {
                clReleaseMemObject(h);
            }
        }
        idle.clear();
        idleBytes = 0;
    }

    static long sizeClass(long byteSize) {
        if (byteSize <= MIN_CLASS) {
            return MIN_CLASS;
        }
        long power = Long.highestOneBit(byteSize - 1) << 1; // the power of two at or above
        long step = Math.max(MIN_CLASS, power / 8);
        return (byteSize + step - 1) / step * step;
    }

    private synchronized long take(long size) {
        ArrayDeque<Long> handles = idle.get(size);
        if (handles == null || handles.isEmpty()) {
            return 0;
        }
        idleBytes -= size;
        liveBytes += size;
        liveBuffers++;
        return handles.pop();
    }

    private synchronized void give(long handle, long size) {
        liveBytes -= size;
        liveBuffers--;
        if (idleBytes + size > IDLE_LIMIT) {
            clReleaseMemObject(handle);
            return;
        }
        idle.computeIfAbsent(size, s -> new ArrayDeque<>()).push(handle);
        idleBytes += size;
    }

    private void collectIfBusy() {
        long threshold;
        synchronized (this) {
            threshold = gcThreshold;
            if (liveBytes < threshold) {
                return;
            }
        }
        collect();
        synchronized (this) {
            gcThreshold = Math.max(MIN_GC_THRESHOLD, 2 * liveBytes);
        }
    }

    private void collect() {
        long before = liveBytes();
        System.gc();
        for (int i = 0; i < 20 && liveBytes() == before; i++) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private long create(long size) {
        Created c = tryCreate(size);
        if (ClErrors.outOfMemory(c.code)) {
            trim();
            collect();
            trim();
            c = tryCreate(size);
        }
        if (c.code != 0) {
            throw new ClException(c.code, "OpenCL device " + runtime.deviceName + " could not allocate " + size
                    + " bytes (" + liveBytes() + " bytes live in " + liveBuffers() + " buffers): " + ClErrors.name(c.code));
        }
        return c.handle;
    }

    private record Created(long handle, int code) {}

    private synchronized Created tryCreate(long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            long handle = nclCreateBuffer(runtime.context, CL_MEM_READ_WRITE, size, 0, status.address());
            int code = status.get(ValueLayout.JAVA_INT, 0);
            if (code == 0) {
                liveBytes += size;
                liveBuffers++;
            }
            return new Created(handle, code);
        }
    }

    private void fill(long handle, long size) {
        runtime.lock.lock();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zero = arena.allocate(ValueLayout.JAVA_INT);
            ClErrors.check(nclEnqueueFillBuffer(runtime.queue, handle, zero.address(), 4, 0, size, 0, 0, 0),
                    "clEnqueueFillBuffer of " + size + " bytes");
        } finally {
            runtime.lock.unlock();
        }
    }

    /** The cleaner's action: it must not reach the ClBuffer it cleans up after. */
    private record Release(BufferPool pool, long handle, long size) implements Runnable {
        @Override
        public void run() {
            pool.give(handle, size);
        }
    }
}
