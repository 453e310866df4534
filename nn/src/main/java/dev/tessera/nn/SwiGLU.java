package dev.tessera.nn;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;

/**
 * The SwiGLU feed-forward of Llama and DeepSeek: down(silu(gate(x)) * up(x)), three Linear layers
 * without bias named {@code gate_proj}, {@code up_proj} [intermediate, hidden] and {@code down_proj}
 * [hidden, intermediate], as in Hugging Face checkpoints.
 */
public final class SwiGLU extends Module implements FeedForward {
    private final Linear gate;
    private final Linear up;
    private final Linear down;

    /** A block from {@code hidden} features through {@code intermediate} and back, drawn from {@code generator}. */
    public SwiGLU(long hidden, long intermediate, Generator generator) {
        this.gate = register("gate_proj", new Linear(hidden, intermediate, false, generator));
        this.up = register("up_proj", new Linear(hidden, intermediate, false, generator));
        this.down = register("down_proj", new Linear(intermediate, hidden, false, generator));
    }

    /** Maps x of shape [..., hidden] to [..., hidden]. */
    @Override
    public Tensor forward(Tensor x) {
        return down.forward(gate.forward(x).silu().mul(up.forward(x)));
    }

    /** The gate projection (w1), weight [intermediate, hidden]. */
    public Linear gateProj() {
        return gate;
    }

    /** The up projection (w3), weight [intermediate, hidden]. */
    public Linear upProj() {
        return up;
    }

    /** The down projection (w2), weight [hidden, intermediate]. */
    public Linear downProj() {
        return down;
    }
}
