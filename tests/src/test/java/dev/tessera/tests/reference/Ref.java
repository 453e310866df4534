package dev.tessera.tests.reference;

import dev.tessera.tensor.Backend;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;

/** Shorthands for the reference-backend tests: inputs moved to the reference device, fresh outputs there. */
final class Ref {
    private Ref() {}

    static final Backend BACKEND = Device.reference().backend();

    static final long TWO_POW_53 = 1L << 53;

    /** A tensor copied onto the reference device (through the backend's copy). */
    static Tensor on(Tensor t) {
        return t.to(Device.reference());
    }

    /** A 1-D F64 tensor on the reference device. */
    static Tensor f64(double... values) {
        return on(Tensor.of(values));
    }

    /** A 1-D I64 tensor on the reference device. */
    static Tensor i64(long... values) {
        return on(Tensor.of(values));
    }

    /** A freshly allocated, uninitialised output on the reference device. */
    static Tensor out(DType type, long... shape) {
        return Tensor.empty(type, Device.reference(), shape);
    }
}
