package dev.tessera.autograd;

import dev.tessera.tensor.Tensor;
import java.util.stream.IntStream;

/** Small tensors and masks the derivative rules share, made on the device and in the dtype of a given tensor. */
final class RuleTensors {
    private RuleTensors() {}

    /** Zeros of x's shape, dtype and device: what scatter-style rules add into. */
    static Tensor zerosLike(Tensor x) {
        return Tensor.zeros(x.dtype(), x.shape()).to(x.device());
    }

    /** A 0-d tensor of x's dtype and device, to combine with x. */
    static Tensor scalarLike(Tensor x, double value) {
        return Tensor.scalar(value, x.dtype()).to(x.device());
    }

    /** {@code 1 - x}. */
    static Tensor oneMinus(Tensor x) {
        return x.neg().add(1);
    }

    /** The gradient where {@code mask} holds, exact zeros elsewhere (no 0 * inf = NaN as a product would give). */
    static Tensor keepWhere(Tensor mask, Tensor gradient) {
        return Tensor.where(mask, gradient, scalarLike(gradient, 0));
    }

    /** Zeros where {@code mask} holds, the gradient elsewhere. */
    static Tensor dropWhere(Tensor mask, Tensor gradient) {
        return Tensor.where(mask, scalarLike(gradient, 0), gradient);
    }

    /** An I64 index vector on {@code like}'s device. */
    static Tensor indices(Tensor like, long... values) {
        return Tensor.of(values).to(like.device());
    }

    /** The dims where a reduction's input and its keepdim output differ in size: the dims it reduced. */
    static int[] reducedDims(long[] input, long[] keptOutput) {
        return IntStream.range(0, input.length).filter(d -> input[d] != keptOutput[d]).toArray();
    }

    /** t summed over {@code dims} with keepdim; t itself when there are none (an empty list would mean all dims). */
    static Tensor sumOver(Tensor t, int[] dims) {
        return dims.length == 0 ? t : t.sum(dims, true);
    }
}
