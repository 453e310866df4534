package dev.tessera.nn;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;

/**
 * A trainable tensor owned by a {@link Module}, which names it. The value is always a leaf that
 * requires grad; {@link #set} swaps in a new leaf (an optimizer step, a loaded checkpoint) but
 * never a different shape or dtype, so the module's layout is fixed at construction.
 */
public final class Parameter {
    private Tensor value;

    /** Wraps a leaf made from {@code initial} (sharing its data); floating dtypes only. */
    public Parameter(Tensor initial) {
        this.value = leaf(initial);
    }

    /** The current value: a leaf tensor that requires grad. */
    public Tensor value() {
        return value;
    }

    /** The gradient accumulated on the current value, or null. */
    public Tensor grad() {
        return value.grad();
    }

    /** Clears the accumulated gradient. */
    public void zeroGrad() {
        value.zeroGrad();
    }

    /**
     * Replaces the value with a new leaf sharing {@code next}'s data; the old gradient goes with
     * the old value. Refuses a change of shape, dtype or device ({@link #moveTo} changes the device).
     */
    public void set(Tensor next) {
        if (!Arrays.equals(next.shape(), value.shape()) || next.dtype() != value.dtype()
                || next.device() != value.device()) {
            throw new IllegalArgumentException("Parameter.set: the new value (" + describe(next)
                    + ") must match the parameter (" + describe(value) + ")");
        }
        value = leaf(next);
    }

    /** Moves the value to {@code device} as a new leaf, dropping the gradient; nothing happens when it is already there. */
    public void moveTo(Device device) {
        if (value.device() != device) {
            value = leaf(value.detach().to(device));
        }
    }

    /** Converts the value to {@code dtype} as a new leaf, dropping the gradient; nothing happens when it already has it. */
    public void castTo(DType dtype) {
        if (value.dtype() != dtype) {
            value = leaf(value.detach().to(dtype));
        }
    }

    /** Number of elements. */
    public long numel() {
        return value.numel();
    }

    @Override
    public String toString() {
        return "Parameter(" + describe(value) + ")";
    }

    private static String describe(Tensor t) {
        return t.dtype() + " " + Shape.str(t.shape()) + " on " + t.device();
    }

    private static Tensor leaf(Tensor t) {
        return t.detach().requiresGrad(true);
    }
}
