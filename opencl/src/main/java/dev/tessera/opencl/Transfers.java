package dev.tessera.opencl;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Copies between host tensors and device tensors. Bytes cross as one contiguous block in the
 * destination's dtype; any layout or cast work happens on the side that has the strided data.
 */
final class Transfers {
    private final ClRuntime runtime;
    private final ElementwiseKernels elementwise;

    Transfers(ClRuntime runtime, ElementwiseKernels elementwise) {
        this.runtime = runtime;
        this.elementwise = elementwise;
    }

    /** {@code out} (on this device) = {@code x} (in host memory). */
    void upload(Tensor x, Tensor out) {
        if (out.numel() == 0) {
            return;
        }
        Tensor host = Tensor.empty(out.dtype(), Device.cpu(), out.shape());
        Device.cpu().backend().copy(x, host);
        Tensor target = out.isContiguous() ? out : Tensor.empty(out.dtype(), Device.opencl(), out.shape());
        long size = out.dtype().byteSize();
        runtime.write(OpenClBackend.buffer(target).handle(), target.offset() * size, segment(host),
                host.numel() * size);
        if (target != out) {
            elementwise.copy(target, out);
        }
    }

    /** {@code out} (in host memory) = {@code x} (on this device). */
    void download(Tensor x, Tensor out) {
        if (out.numel() == 0) {
            return;
        }
        Tensor packed = x;
        if (!x.isContiguous() || x.dtype() != out.dtype()) {
            packed = Tensor.empty(out.dtype(), Device.opencl(), out.shape());
            elementwise.copy(x, packed);
        }
        boolean direct = out.isContiguous() && out.storage().segment().isNative();
        Tensor host = direct ? out : Tensor.empty(out.dtype(), Device.cpu(), out.shape());
        long size = out.dtype().byteSize();
        runtime.read(OpenClBackend.buffer(packed).handle(), packed.offset() * size, segment(host), host.numel() * size);
        if (!direct) {
            out.device().backend().copy(host, out);
        }
    }

    /** The bytes of a contiguous host tensor. */
    private static MemorySegment segment(Tensor t) {
        long size = t.dtype().byteSize();
        return t.storage().segment().asSlice(t.offset() * size, t.numel() * size);
    }
}
