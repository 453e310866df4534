package dev.tessera.autograd;

import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Gradients returned instead of accumulated: the functional face of the engine. */
public final class Autograd {
    private Autograd() {}

    /**
     * The gradients of the sum of {@code outputs} (each weighted by its {@code gradOutputs} entry,
     * of its shape, dtype and device) with respect to each of {@code inputs}, which must be leaves
     * that require grad; every {@code grad()} is untouched. An input the outputs do not depend on
     * gets zeros. The graph is freed unless {@code retainGraph}.
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> gradOutputs, List<Tensor> inputs,
            boolean retainGraph) {
        if (outputs.size() != gradOutputs.size()) {
            throw new IllegalArgumentException("grad: " + outputs.size() + " outputs but " + gradOutputs.size()
                    + " output gradients");
        }
        for (Tensor output : outputs) {
            if (!output.requiresGrad()) {
                throw new IllegalArgumentException("grad: an output of shape " + Arrays.toString(output.shape())
                        + " does not require grad (computed with grad mode off, or from no leaf that requires grad)");
            }
        }
        for (Tensor input : inputs) {
            if (!input.requiresGrad()) {
                throw new IllegalArgumentException("grad: an input of shape " + Arrays.toString(input.shape())
                        + " does not require grad");
            }
            if (!input.isLeaf()) {
                throw new IllegalArgumentException("grad: inputs must be leaves; got one of shape "
                        + Arrays.toString(input.shape()) + " made by " + input.gradNode().opName()
                        + " (detach() it and recompute from the detached copy)");
            }
        }
        Capture capture = new Capture(inputs);
        Engine.backward(outputs, gradOutputs, retainGraph, capture);
        List<Tensor> result = new ArrayList<>();
        for (Tensor input : inputs) {
            Tensor g = capture.gradient(input);
            result.add(g != null ? g : Tensor.zeros(input.dtype(), input.shape()).to(input.device()));
        }
        return result;
    }

    /** The gradient of a one-element {@code output} (a loss) with respect to each input; the graph is freed. */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs) {
        if (output.numel() != 1) {
            throw new IllegalArgumentException("grad: without output gradients the output must have one element"
                    + " (a loss), got shape " + Arrays.toString(output.shape()));
        }
        return grad(List.of(output), List.of(Tensor.full(1, output.dtype(), output.shape()).to(output.device())),
                inputs, false);
    }
}
