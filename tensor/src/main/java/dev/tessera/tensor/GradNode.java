package dev.tessera.tensor;

/** The autograd node that made a tensor: what {@link Tensor#gradNode()} returns. Implemented by autograd. */
public interface GradNode {
    /** The op that made the tensor, for messages and anomaly reports. */
    Op op();
}
