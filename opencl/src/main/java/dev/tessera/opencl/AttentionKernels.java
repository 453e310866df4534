package dev.tessera.opencl;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;

/** Flash attention forward and backward (attention.cl). */
final class AttentionKernels {
    private final ClRuntime runtime;

    AttentionKernels(ClRuntime runtime) {
        this.runtime = runtime;
    }

    void attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, boolean causal, Tensor out, Tensor lse) {
        throw new UnsupportedOperationException("opencl: attention has no kernel yet");
    }

    void attentionBackward(Tensor gradOut, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out, Tensor lse, double scale, boolean causal, Tensor gradQ, Tensor gradK, Tensor gradV) {
        throw new UnsupportedOperationException("opencl: attentionBackward has no kernel yet");
    }
}
