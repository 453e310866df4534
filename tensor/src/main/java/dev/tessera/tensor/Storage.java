package dev.tessera.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The bytes behind one or more tensors: a host {@link MemorySegment}. Many tensors (views) may
 * share one storage. Storage is native memory, not a Java array, so that a memory-mapped file
 * can be a storage without copying and so that native libraries (OpenCL) can read it directly.
 */
public final class Storage {
    private final MemorySegment segment;

    private Storage(MemorySegment segment) {
        this.segment = segment;
    }

    /** New storage of {@code byteSize} bytes, zero-filled when {@code zeroed}, from the caching allocator. */
    public static Storage allocate(long byteSize, boolean zeroed) {
        return new Storage(HostAllocator.allocate(byteSize, zeroed));
    }

    /** Storage over existing memory (a mapped file, a heap array); its lifetime is the caller's business. */
    public static Storage wrap(MemorySegment segment) {
        return new Storage(segment);
    }

    /** The memory; it stays valid while this segment, or any slice of it, is reachable. */
    public MemorySegment segment() {
        return segment;
    }

    public long byteSize() {
        return segment.byteSize();
    }
}
