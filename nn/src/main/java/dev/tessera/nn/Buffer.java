package dev.tessera.nn;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;

/**
 * State a {@link Module} keeps that no optimizer trains, such as the MoE router's
 * {@code e_score_correction_bias}: part of the state dict and moved with the module, but never
 * requiring grad. {@link #set} swaps in a new value of the same shape, dtype and device.
 */
public final class Buffer {
    private Tensor value;

    /** Holds {@code initial} detached (sharing its data). */
    public Buffer(Tensor initial) {
        this.value = initial.detach();
    }

    /** The current value; it never requires grad. */
    public Tensor value() {
        return value;
    }

    /** Replaces the value, detached; refuses a change of shape, dtype or device. */
    public void set(Tensor next) {
        if (!Arrays.equals(next.shape(), value.shape()) || next.dtype() != value.dtype()
                || next.device() != value.device()) {
            throw new IllegalArgumentException("Buffer.set: the new value (" + describe(next)
                    + ") must match the buffer (" + describe(value) + ")");
        }
        value = next.detach();
    }

    void moveTo(Device device) {
        value = value.to(device);
    }

    /** Floating buffers follow the module's dtype; integer ones (counts, ids) keep theirs. */
    void castTo(DType dtype) {
        if (value.dtype().isFloating()) {
            value = value.to(dtype);
        }
    }

    private static String describe(Tensor t) {
        return t.dtype() + " " + Shape.str(t.shape()) + " on " + t.device();
    }
}
