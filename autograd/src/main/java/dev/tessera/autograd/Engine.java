package dev.tessera.autograd;

import dev.tessera.tensor.GradNode;
import dev.tessera.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation over the recorded graph: order the nodes reachable from the
 * roots, latest first; hand each node the summed gradients of its outputs; pass what its rule
 * returns on to its inputs. Gradients of one tensor from several uses add up. Gradients are
 * computed with grad mode off, so backward records nothing (no higher-order derivatives).
 *
 * <p>Memory: a non-leaf's gradient is held from its first contribution until its node runs,
 * then dropped. Without {@code retainGraph} each node is released as soon as it has run, so the
 * activations it held can be collected while backward goes on; if a rule throws midway, the
 * nodes already run stay released.
 *
 * <p>A graph is not safe to walk from two threads at once; separate graphs are.
 */
final class Engine {
    private Engine() {}

    /**
     * Back-propagates {@code gradients} (one per root, of its shape, dtype and device) from
     * {@code roots} and hands every leaf's gradient to {@code sink}.
     */
    static void backward(List<Tensor> roots, List<Tensor> gradients, boolean retainGraph, LeafSink sink) {
        for (int i = 0; i < roots.size(); i++) {
            checkRoot(roots.get(i), gradients.get(i));
        }
        List<Node> order = reachable(roots);
        try (var off = Grad.off()) {
            Map<Tensor, Tensor> pending = new IdentityHashMap<>();
            for (int i = 0; i < roots.size(); i++) {
                deliver(roots.get(i), gradients.get(i), pending, sink);
            }
            propagate(order, pending, sink, retainGraph);
        }
    }

    /** Runs the nodes latest first, each on the summed gradients of its outputs. */
    private static void propagate(List<Node> order, Map<Tensor, Tensor> pending, LeafSink sink, boolean retainGraph) {
        for (Node node : order) {
            Tensor[] gradOutputs = new Tensor[node.outputCount()];
            boolean any = false;
            for (int i = 0; i < gradOutputs.length; i++) {
                gradOutputs[i] = pending.remove(node.output(i));
                any |= gradOutputs[i] != null;
            }
            if (any) {
                Tensor[] gradInputs = node.rule().backward(node, gradOutputs);
                checkCount(node, gradInputs);
                for (int i = 0; i < gradInputs.length; i++) {
                    Tensor input = node.input(i);
                    if (gradInputs[i] != null && input.requiresGrad()) {
                        check(node, i, input, gradInputs[i]);
                        deliver(input, gradInputs[i], pending, sink);
                    }
                }
            }
            if (!retainGraph) {
                node.release();
            }
        }
    }

    /** A non-leaf's gradient waits for its node; a leaf's goes to the sink at once. */
    private static void deliver(Tensor tensor, Tensor gradient, Map<Tensor, Tensor> pending, LeafSink sink) {
        if (tensor.isLeaf()) {
            sink.receive(tensor, gradient);
        } else {
            pending.merge(tensor, gradient, Tensor::add);
        }
    }

    /**
     * The nodes the roots depend on, latest first: a valid reverse topological order, since a
     * node's inputs exist before it does. An explicit stack, so a deep chain cannot overflow.
     */
    static List<Node> reachable(List<Tensor> roots) {
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Node> stack = new ArrayDeque<>();
        for (Tensor root : roots) {
            push(root.gradNode(), seen, stack);
        }
        List<Node> nodes = new ArrayList<>();
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            nodes.add(node);
            for (int i = 0; i < node.inputCount(); i++) {
                push(node.input(i).gradNode(), seen, stack);
            }
        }
        nodes.sort(Comparator.comparingLong(Node::sequence).reversed());
        return nodes;
    }

    private static void push(GradNode gradNode, Set<Node> seen, ArrayDeque<Node> stack) {
        if (gradNode instanceof Node node && seen.add(node)) {
            node.requireLive();
            stack.push(node);
        }
    }

    private static void checkRoot(Tensor root, Tensor gradient) {
        if (!Arrays.equals(gradient.shape(), root.shape()) || gradient.dtype() != root.dtype()
                || gradient.device() != root.device()) {
            throw new IllegalArgumentException("backward: gradient " + describe(gradient) + " for an output "
                    + describe(root) + "; they must match in shape, dtype and device");
        }
    }

    private static void checkCount(Node node, Tensor[] gradInputs) {
        if (gradInputs.length != node.inputCount()) {
            throw new IllegalStateException("backward of " + node.opName() + ": the rule gave " + gradInputs.length
                    + " gradients for " + node.inputCount() + " inputs");
        }
    }

    private static void check(Node node, int i, Tensor input, Tensor gradient) {
        if (!Arrays.equals(gradient.shape(), input.shape()) || gradient.dtype() != input.dtype()) {
            throw new IllegalStateException("backward of " + node.opName() + ": the rule gave input " + i
                    + " a gradient " + describe(gradient) + ", the input is " + describe(input));
        }
        Anomaly.check(node, i, gradient);
    }

    private static String describe(Tensor t) {
        return Arrays.toString(t.shape()) + " " + t.dtype() + " on " + t.device();
    }
}
