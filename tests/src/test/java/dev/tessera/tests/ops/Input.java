package dev.tessera.tests.ops;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;

/**
 * One input of a case: its shape, dtype, value domain, memory layout and seed. Building it on
 * any device gives the same values (drawn from a {@link java.util.Random} with the seed).
 */
record Input(String name, long[] shape, DType dtype, Domain domain, Layout layout, long seed) {
    Input {
        layout = layout.effectiveFor(shape);
    }

    /** The tensor on {@code device}, laid out as {@link #layout} says. */
    Tensor build(Device device) {
        return Layouts.build(this, device);
    }

    /** The logical values in row-major order, as {@link #build} lays them out (before the dtype conversion). */
    double[] values() {
        return Layouts.plan(this).logical();
    }

    @Override
    public String toString() {
        return name + "=" + dtype + Shapes.str(shape) + " " + domain + " " + layout.name().toLowerCase() + " seed " + seed;
    }
}
