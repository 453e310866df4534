package dev.tessera.tensor;

/**
 * How autograd plugs into {@code tensor} without {@code tensor} depending on it: the autograd
 * module provides one implementation through {@link java.util.ServiceLoader}; without it no op
 * is recorded and {@link Tensor#backward()} says the module is missing.
 *
 * <p>Every op calls {@link #record} once its outputs are computed, with exactly the tensors
 * its backend call read and wrote. Views are recorded too, so the derivative of a composite op
 * follows from the derivatives of its parts.
 */
public interface AutogradProvider {
    /** True when ops should be recorded now: grad mode is on for this thread. */
    boolean isEnabled();

    /** Records that {@code op} with {@code args} made {@code outputs} from {@code inputs}. */
    void record(Op op, OpArgs args, Tensor[] inputs, Tensor[] outputs);

    /**
     * Back-propagates {@code gradient} (root's shape) from {@code root} and accumulates into the
     * {@code grad()} of every leaf that requires grad; frees the graph unless {@code retainGraph}.
     */
    void backward(Tensor root, Tensor gradient, boolean retainGraph);
}
