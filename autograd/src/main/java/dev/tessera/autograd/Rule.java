package dev.tessera.autograd;

import dev.tessera.tensor.Tensor;

/** The derivative of one op: from the gradients of its outputs to the gradients of its inputs. */
@FunctionalInterface
public interface Rule {
    /**
     * @param node the recorded op: its inputs, outputs and args
     * @param gradOutputs one per output, of the output's shape; null for an output that got no gradient
     * @return one per input, of the input's shape and dtype; null for an input that gets none
     */
    Tensor[] backward(Node node, Tensor[] gradOutputs);
}
