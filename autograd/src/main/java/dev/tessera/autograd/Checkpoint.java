package dev.tessera.autograd;

import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Activation checkpointing: trades compute for memory. {@link #apply} runs a piece of the
 * forward pass with grad mode off, so none of its intermediate tensors are kept, and records one
 * node in their place. When backward reaches that node it runs the piece again with grad mode on,
 * from detached copies of the same inputs, and back-propagates through that fresh graph, which is
 * freed at once. The cost is one more forward of the piece per backward.
 *
 * <p>Two things are the caller's duty:
 * <ul>
 *   <li>{@code fn} must compute the same function both times. Random ops must draw from a
 *       {@link dev.tessera.tensor.Generator} positioned the same way on each call, for example one
 *       built inside {@code fn} as {@code new Generator(seed, offset)} from values read before.</li>
 *   <li>Every tensor {@code fn} reads that needs a gradient (a layer's weights too) must be passed
 *       among {@code inputs}: gradients flow to the inputs only. Backward refuses a piece that read
 *       another tensor requiring grad, rather than silently leaving its gradient out.</li>
 * </ul>
 */
public final class Checkpoint {
    private static final String NAME = "checkpoint";

    private Checkpoint() {}

    /**
     * {@code fn(inputs)}, with only the inputs and the result kept for backward. When grad mode
     * is off or no input requires grad there is nothing to save and {@code fn} simply runs. A
     * result that cannot carry a gradient (an integer dtype) is returned as {@code fn} made it.
     */
    public static Tensor apply(Function<Tensor[], Tensor> fn, Tensor... inputs) {
        if (!Grad.isEnabled() || !anyRequiresGrad(inputs)) {
            return fn.apply(inputs);
        }
        Tensor result;
        try (var off = Grad.off()) {
            result = fn.apply(inputs.clone());
        }
        if (!result.dtype().isFloating()) {
            return result;
        }
        // A fresh tensor object: fn may have returned one of its inputs or a tensor it closed over.
        Tensor output = result.detach();
        Rule rule = (node, gradOutputs) -> recompute(fn, node, gradOutputs[0]);
        output.setGradNode(new Node(NAME, rule, inputs.clone(), new Tensor[] {output}, Anomaly.creationSite()));
        return output;
    }

    /** The checkpoint node's rule: runs fn again with grad on and back-propagates through it to the inputs. */
    private static Tensor[] recompute(Function<Tensor[], Tensor> fn, Node node, Tensor gradOutput) {
        Tensor[] leaves = new Tensor[node.inputCount()];
        List<Tensor> wanted = new ArrayList<>();
        for (int i = 0; i < leaves.length; i++) {
            Tensor input = node.input(i);
            leaves[i] = input.detach();
            if (input.requiresGrad()) {
                leaves[i].requiresGrad(true);
                wanted.add(leaves[i]);
            }
        }
        Tensor again;
        try (var on = Grad.on()) {
            again = fn.apply(leaves.clone());
        }
        Tensor first = node.output(0);
        if (!Arrays.equals(again.shape(), first.shape()) || again.dtype() != first.dtype()) {
            throw new IllegalStateException(NAME + ": recomputing fn gave " + Arrays.toString(again.shape()) + " "
                    + again.dtype() + ", the forward gave " + Arrays.toString(first.shape()) + " " + first.dtype()
                    + "; fn must compute the same function every time it runs");
        }
        Tensor[] gradients = new Tensor[leaves.length];
        if (!again.requiresGrad()) {
            return gradients; // fn's result does not depend on any input that requires grad
        }
        Capture capture = new Capture(wanted);
        refuseOtherLeaves(again, capture);
        Engine.backward(List.of(again), List.of(gradOutput), false, capture);
        for (int i = 0; i < leaves.length; i++) {
            gradients[i] = capture.gradient(leaves[i]);
        }
        return gradients;
    }

    /** Checked before the inner backward runs, so that it never walks on into the outer graph through a tensor fn closed over. */
    private static void refuseOtherLeaves(Tensor again, Capture capture) {
        for (Node step : Engine.reachable(List.of(again))) {
            for (int i = 0; i < step.inputCount(); i++) {
                Tensor t = step.input(i);
                if (t.isLeaf() && t.requiresGrad() && !capture.wants(t)) {
                    throw new IllegalStateException(NAME + ": fn read a tensor of shape " + Arrays.toString(t.shape())
                            + " that requires grad (in " + step.opName() + ") without receiving it among the inputs;"
                            + " its gradient would be lost: pass it to Checkpoint.apply as an input");
                }
            }
        }
    }

    private static boolean anyRequiresGrad(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }
}
