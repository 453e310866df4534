package dev.tessera.opencl;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;

/** Fused cross-entropy and RMSNorm, forward and backward (loss_norm.cl). */
final class LossNormKernels {
    private final ClRuntime runtime;

    LossNormKernels(ClRuntime runtime) {
        this.runtime = runtime;
    }

    void crossEntropy(Tensor logits, Tensor targets, long ignoreIndex, Tensor loss, Tensor lse) {
        throw new UnsupportedOperationException("opencl: crossEntropy has no kernel yet");
    }

    void crossEntropyBackward(Tensor gradLoss, Tensor logits, Tensor targets, Tensor lse, long ignoreIndex, Tensor gradLogits) {
        throw new UnsupportedOperationException("opencl: crossEntropyBackward has no kernel yet");
    }

    void rmsNorm(Tensor x, Tensor weight, double eps, Tensor out, Tensor rstd) {
        throw new UnsupportedOperationException("opencl: rmsNorm has no kernel yet");
    }

    void rmsNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor rstd, Tensor gradX, Tensor gradWeight) {
        throw new UnsupportedOperationException("opencl: rmsNormBackward has no kernel yet");
    }
}
