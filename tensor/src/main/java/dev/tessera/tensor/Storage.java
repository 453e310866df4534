package dev.tessera.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The bytes behind one or more tensors: a host {@link MemorySegment}, or {@link DeviceMemory} that
 * a backend keeps on its device. Many tensors (views) may share one storage. Host storage is
 * native memory, not a Java array, so that a memory-mapped file can be a storage without copying
 * and so that native libraries (OpenCL) can read it directly.
 */
public final class Storage {
    private final MemorySegment segment;
    private final DeviceMemory deviceMemory;

    private Storage(MemorySegment segment, DeviceMemory deviceMemory) {
        this.segment = segment;
        this.deviceMemory = deviceMemory;
    }

    /** New storage of {@code byteSize} bytes, zero-filled when {@code zeroed}, from the caching allocator. */
    public static Storage allocate(long byteSize, boolean zeroed) {
        return new Storage(HostAllocator.allocate(byteSize, zeroed), null);
    }

    /** Storage over existing memory (a mapped file, a heap array); its lifetime is the caller's business. */
    public static Storage wrap(MemorySegment segment) {
        return new Storage(segment, null);
    }

    /** Storage over a backend's device memory; the backend frees it when the storage is unreachable. */
    public static Storage onDevice(DeviceMemory memory) {
        return new Storage(null, memory);
    }

    /** True when the bytes are host memory ({@link #segment()}), false when they live on a device. */
    public boolean isHost() {
        return segment != null;
    }

    /**
     * The host memory; it stays valid while this segment, or any slice of it, is reachable.
     *
     * @throws IllegalStateException when the storage lives on a device
     */
    public MemorySegment segment() {
        if (segment == null) {
            throw new IllegalStateException("this storage lives on " + deviceMemory.deviceName()
                    + ": copy its tensor to the host first with .to(Device.cpu())");
        }
        return segment;
    }

    /** The device memory, or null for host storage. */
    public DeviceMemory deviceMemory() {
        return deviceMemory;
    }

    public long byteSize() {
        return segment != null ? segment.byteSize() : deviceMemory.byteSize();
    }
}
