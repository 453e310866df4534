package dev.tessera.nn;

import dev.tessera.tensor.Tensor;

/**
 * The position-wise feed-forward of a {@link DecoderBlock} ({@code mlp} in Hugging Face names):
 * a dense {@link SwiGLU}, or a mixture of experts. A module implementing it can be plugged into a
 * block without touching the block.
 */
public interface FeedForward {
    /** Maps x of shape [B, N, hidden] to the same shape, without the residual (the block adds it). */
    Tensor forward(Tensor x);
}
