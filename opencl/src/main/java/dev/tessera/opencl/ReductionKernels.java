package dev.tessera.opencl;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;

/** Reductions, arg-reductions, softmax, cumsum and topk (reductions.cl). */
final class ReductionKernels {
    private final ClRuntime runtime;

    ReductionKernels(ClRuntime runtime) {
        this.runtime = runtime;
    }

    void reduce(Op op, Tensor x, Tensor out) {
        throw new UnsupportedOperationException("opencl: reduce has no kernel yet");
    }

    void argReduce(Op op, Tensor x, int dim, Tensor out) {
        throw new UnsupportedOperationException("opencl: argReduce has no kernel yet");
    }

    void softmax(Op op, Tensor x, int dim, Tensor out) {
        throw new UnsupportedOperationException("opencl: softmax has no kernel yet");
    }

    void cumsum(Tensor x, int dim, Tensor out) {
        throw new UnsupportedOperationException("opencl: cumsum has no kernel yet");
    }

    void topk(Tensor x, int dim, int k, boolean largest, Tensor values, Tensor indices) {
        throw new UnsupportedOperationException("opencl: topk has no kernel yet");
    }
}
