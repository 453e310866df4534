package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;

/**
 * One floating input of a gradient case: its shape, values (row-major), layout, and whether it
 * requires grad. A constant input (requiresGrad false) checks that rules skip inputs nobody needs.
 */
record GradInput(String name, long[] shape, double[] values, GradLayout layout, boolean requiresGrad) {
    GradInput {
        layout = layout.effectiveFor(shape);
        if (values.length != GradLayout.numel(shape)) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape " + Arrays.toString(shape));
        }
    }

    /** The input as the op sees it: a leaf that requires grad when {@link #requiresGrad} says so. */
    Tensor build(DType dtype, Device device) {
        return with(values, dtype, device).requiresGrad(requiresGrad);
    }

    /** The same shape and layout holding other values, requiring nothing: for the central differences. */
    Tensor with(double[] otherValues, DType dtype, Device device) {
        return layout.build(otherValues, shape, dtype, device);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + (layout == GradLayout.CONTIGUOUS ? "" : " " + layout.name().toLowerCase())
                + (requiresGrad ? "" : " constant") + " " + Arrays.toString(values);
    }
}
