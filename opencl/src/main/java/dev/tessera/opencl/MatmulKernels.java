package dev.tessera.opencl;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;

/** SGEMM, batched and grouped (matmul.cl). */
final class MatmulKernels {
    private final ClRuntime runtime;

    MatmulKernels(ClRuntime runtime) {
        this.runtime = runtime;
    }

    void matmul(Tensor a, Tensor b, Tensor out) {
        throw new UnsupportedOperationException("opencl: matmul has no kernel yet");
    }

    void groupedMatmul(Tensor x, Tensor counts, Tensor[] weights, Tensor out) {
        throw new UnsupportedOperationException("opencl: groupedMatmul has no kernel yet");
    }

    void groupedMatmulWeightGrad(Tensor gradOut, Tensor x, Tensor counts, Tensor[] gradWeights) {
        throw new UnsupportedOperationException("opencl: groupedMatmulWeightGrad has no kernel yet");
    }
}
