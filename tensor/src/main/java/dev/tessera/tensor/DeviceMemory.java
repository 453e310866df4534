package dev.tessera.tensor;

/**
 * Memory a backend keeps off the host (an OpenCL buffer): the bytes behind a {@link Storage} whose
 * tensors live on that backend's device. Only its backend reads or writes it; everything else
 * copies the tensor to the cpu first ({@link Tensor#to(Device)}).
 */
public interface DeviceMemory {
    /** The size in bytes, as asked for when it was allocated. */
    long byteSize();

    /** The name of the backend that owns this memory, for error messages. */
    String deviceName();
}
