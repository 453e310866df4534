package dev.tessera.autograd;

import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Gradients returned instead of accumulated: the functional face of the engine. */
public final class Autograd {
    private Autograd() {}

    /**
     * The gradients of the sum of {@code outputs} (each weighted by its {@code gradOutputs} entry)
     * with respect to each of {@code inputs}, which must require grad; {@code grad()} is untouched.
     * An input the outputs do not depend on gets zeros. The graph is freed unless {@code retainGraph}.
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> gradOutputs, List<Tensor> inputs,
            boolean retainGraph) {
        if (outputs.size() != gradOutputs.size()) {
            throw new IllegalArgumentException("grad: " + outputs.size() + " outputs but " + gradOutputs.size()
                    + " output gradients");
        }
        Map<Tensor, Tensor> captured = new IdentityHashMap<>();
        for (Tensor input : inputs) {
            if (!input.requiresGrad()) {
                throw new IllegalArgumentException("grad: an input of shape " + java.util.Arrays.toString(input.shape())
                        + " does not require grad");
            }
            if (!input.isLeaf()) {
                throw new IllegalArgumentException("grad: inputs must be leaves; got one made by "
                        + input.gradNode().opName() + " (detach() it and recompute from the detached copy)");
            }
            captured.put(input, null);
        }
        Engine.backward(outputs, gradOutputs, retainGraph, captured);
        List<Tensor> result = new ArrayList<>();
        for (Tensor input : inputs) {
            Tensor g = captured.get(input);
            result.add(g != null ? g : Tensor.zeros(input.dtype(), input.shape()).to(input.device()));
        }
        return result;
    }

    /** The gradient of a one-element {@code output} (a loss) with respect to each input; the graph is freed. */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs) {
        return grad(List.of(output), List.of(Tensor.full(1, output.dtype()).to(output.device())), inputs, false);
    }
}
