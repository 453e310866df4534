package dev.tessera.tensor;

/** The autograd node that made a tensor: what {@link Tensor#gradNode()} returns. Implemented by autograd. */
public interface GradNode {
    /** The name of the op that made the tensor ({@code matmul}, {@code checkpoint}), for messages. */
    String opName();
}
