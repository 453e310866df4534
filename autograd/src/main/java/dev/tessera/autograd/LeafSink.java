package dev.tessera.autograd;

import dev.tessera.tensor.Tensor;

/** Where the engine hands the gradient that reaches a leaf: its {@code grad()}, or a caller's capture. */
@FunctionalInterface
interface LeafSink {
    /** Adds {@code d(roots)/d(leaf)} from one path (a leaf reached by several paths gets several calls). */
    void receive(Tensor leaf, Tensor gradient);

    /** Accumulates into {@code grad()}: {@code Tensor.backward}'s sink. A new tensor each time, never an update in place. */
    LeafSink ACCUMULATE = (leaf, gradient) -> {
        Tensor previous = leaf.grad();
        leaf.setGrad(previous == null ? gradient.contiguous() : previous.add(gradient));
    };
}
