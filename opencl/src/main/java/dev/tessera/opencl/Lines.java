package dev.tessera.opencl;

import dev.tessera.tensor.Tensor;

/**
 * Tensors of one rank seen as lines along {@code dim}: {@code layout} maps line i (row-major over
 * the shape with {@code dim} set to 1) to where it starts in each operand, and operand k steps
 * through a line by {@code strides[k]}. The operands may differ in their size along {@code dim}
 * (topk's outputs hold k entries per line).
 */
record Lines(KernelLayout layout, long count, long[] strides) {
    static Lines of(int dim, Tensor... tensors) {
        long[] lineShape = tensors[0].shape();
        lineShape[dim] = 1;
        // A dim of size 1 is skipped by the layout, so only the other dims' strides matter.
        KernelLayout layout = KernelLayout.of(lineShape, tensors);
        long[] strides = new long[tensors.length];
        for (int k = 0; k < tensors.length; k++) {
            strides[k] = tensors[k].strides()[dim];
        }
        return new Lines(layout, layout.numel(), strides);
    }
}
