package dev.tessera.opencl;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;

/** gather, scatter_add, index_select and index_add (indexing.cl). */
final class IndexKernels {
    private final ClRuntime runtime;

    IndexKernels(ClRuntime runtime) {
        this.runtime = runtime;
    }

    void gather(Tensor x, int dim, Tensor index, Tensor out) {
        throw new UnsupportedOperationException("opencl: gather has no kernel yet");
    }

    void scatterAdd(Tensor src, int dim, Tensor index, Tensor out) {
        throw new UnsupportedOperationException("opencl: scatterAdd has no kernel yet");
    }

    void indexSelect(Tensor x, int dim, Tensor index, Tensor out) {
        throw new UnsupportedOperationException("opencl: indexSelect has no kernel yet");
    }

    void indexAdd(Tensor src, int dim, Tensor index, Tensor out) {
        throw new UnsupportedOperationException("opencl: indexAdd has no kernel yet");
    }
}
