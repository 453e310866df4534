package dev.tessera.tests.ops;

import dev.tessera.tensor.DType;

/**
 * Makes one case of an op from a main shape (usually the first input's), a dtype, a layout for
 * the first input and a seed. The seed decides everything else (other shapes, dims, k, values),
 * so a case is reproducible from these four. A maker must accept every shape its
 * {@link OpInfo} draws and every {@link EdgeShape}, adapting where the op needs it.
 */
interface CaseMaker {
    OpCase make(long[] shape, DType dtype, Layout layout, long seed);
}
