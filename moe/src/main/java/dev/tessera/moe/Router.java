package dev.tessera.moe;

import dev.tessera.tensor.Tensor;

/**
 * Chooses experts for tokens. {@link DeepSeekMoE} calls it through this interface, so another
 * routing (expert choice, hash routing...) plugs in without touching the layer: implement it on a
 * {@link dev.tessera.nn.Module} (its parameters then appear under the layer's {@code gate.}
 * prefix) and pass it to {@link DeepSeekMoE#DeepSeekMoE(MoeConfig, dev.tessera.nn.Module, dev.tessera.tensor.Generator)}.
 * A routing that gives tokens different numbers of experts fills the unused slots of the [T, K]
 * result with any valid expert and weight 0.
 */
public interface Router {
    /** Routes {@code x} of shape [T, H]; see {@link Routing} for the shapes. */
    Routing route(Tensor x);

    /** E, the routed experts it chooses among. */
    int numExperts();

    /** K, the experts each token gets. */
    int topK();
}
