package dev.tessera.opencl;

import dev.tessera.tensor.DeviceMemory;

/**
 * One pooled OpenCL buffer behind a {@link dev.tessera.tensor.Storage}. When the storage becomes
 * unreachable a cleaner hands the buffer back to the {@link BufferPool}: the queue is in order, so
 * a command enqueued later that reuses it runs after every command that used it before.
 */
final class ClBuffer implements DeviceMemory {
    private final long handle;
    private final long byteSize;

    ClBuffer(long handle, long byteSize) {
        this.handle = handle;
        this.byteSize = byteSize;
    }

    /** The cl_mem handle. */
    long handle() {
        return handle;
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    @Override
    public String deviceName() {
        return "opencl";
    }
}
