package dev.tessera.autograd;

import dev.tessera.tensor.Tensor;

/** The gradient of one input of a one-output op: a formula of the node and its output's gradient. */
@FunctionalInterface
interface InputGradient {
    Tensor of(Node node, Tensor gradOutput);

    /**
     * The rule made of one formula per input, in the order the op recorded its inputs; a null
     * formula means that input never gets a gradient (a BOOL mask). A formula runs only when its
     * input requires grad: a constant operand costs nothing, and a formula that is undefined for
     * it (the log of a negative base) is never evaluated.
     */
    static Rule perInput(InputGradient... formulas) {
        return (node, gradOutputs) -> {
            if (node.inputCount() != formulas.length) {
                throw new IllegalStateException("backward of " + node.op().opName() + ": " + node.inputCount()
                        + " recorded inputs, the rule has formulas for " + formulas.length);
            }
            Tensor[] gradients = new Tensor[formulas.length];
            for (int i = 0; i < formulas.length; i++) {
                if (formulas[i] != null && node.input(i).requiresGrad()) {
                    gradients[i] = formulas[i].of(node, gradOutputs[0]);
                }
            }
            return gradients;
        };
    }
}
