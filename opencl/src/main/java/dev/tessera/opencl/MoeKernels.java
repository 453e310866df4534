package dev.tessera.opencl;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;

/** MoE dispatch: plan, permute, unpermute and its backward (moe.cl). */
final class MoeKernels {
    private final ClRuntime runtime;

    MoeKernels(ClRuntime runtime) {
        this.runtime = runtime;
    }

    void moePlan(Tensor expertIds, long capacity, Tensor counts, Tensor order, Tensor position) {
        throw new UnsupportedOperationException("opencl: moePlan has no kernel yet");
    }

    void moePermute(Tensor x, Tensor order, int topK, Tensor out) {
        throw new UnsupportedOperationException("opencl: moePermute has no kernel yet");
    }

    void moeUnpermute(Tensor yp, Tensor position, Tensor weights, Tensor out) {
        throw new UnsupportedOperationException("opencl: moeUnpermute has no kernel yet");
    }

    void moeUnpermuteBackward(Tensor gradOut, Tensor yp, Tensor order, Tensor position, Tensor weights, Tensor gradYp, Tensor gradWeights) {
        throw new UnsupportedOperationException("opencl: moeUnpermuteBackward has no kernel yet");
    }
}
