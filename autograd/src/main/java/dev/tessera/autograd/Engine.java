package dev.tessera.autograd;

import dev.tessera.tensor.GradNode;
import dev.tessera.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;

/**
 * Reverse-mode differentiation over the recorded graph: order the nodes reachable from the
 * roots, latest first; hand each node the summed gradients of its outputs; pass what its rule
 * returns on to its inputs. Gradients of one tensor from several uses add up.
 */
final class Engine {
    private Engine() {}

    /**
     * Back-propagates {@code gradients} from {@code roots}. Each leaf that requires grad either
     * receives its gradient in {@code grad()} ({@code captured} null) or, when it is a key of
     * {@code captured}, gets it stored there instead and its {@code grad()} is left alone.
     */
    static void backward(List<Tensor> roots, List<Tensor> gradients, boolean retainGraph, Map<Tensor, Tensor> captured) {
        Map<Tensor, Tensor> pending = new IdentityHashMap<>();
        for (int i = 0; i < roots.size(); i++) {
            deliver(roots.get(i), gradients.get(i), pending, captured);
        }
        List<Node> order = reachable(roots);
        try (var off = Grad.off()) {
            propagate(order, pending, captured);
        }
        if (!retainGraph) {
            order.forEach(Node::release);
        }
    }

    /** Runs the nodes latest first, each on the summed gradients of its outputs. */
    private static void propagate(List<Node> order, Map<Tensor, Tensor> pending, Map<Tensor, Tensor> captured) {
        for (Node node : order) {
            Tensor[] gradOutputs = new Tensor[node.outputCount()];
            boolean any = false;
            for (int i = 0; i < gradOutputs.length; i++) {
                gradOutputs[i] = pending.remove(node.output(i));
                any |= gradOutputs[i] != null;
            }
            if (!any) {
                continue;
            }
            Tensor[] gradInputs = Derivatives.rule(node.op()).backward(node, gradOutputs);
            for (int i = 0; i < node.inputCount(); i++) {
                Tensor input = node.input(i);
                if (gradInputs[i] != null && input.requiresGrad()) {
                    check(node, i, input, gradInputs[i]);
                    deliver(input, gradInputs[i], pending, captured);
                }
            }
        }
    }

    /** A non-leaf's gradient waits for its node; a leaf's is accumulated (or captured) at once. */
    private static void deliver(Tensor tensor, Tensor gradient, Map<Tensor, Tensor> pending, Map<Tensor, Tensor> captured) {
        if (!tensor.isLeaf()) {
            pending.merge(tensor, gradient, Tensor::add);
        } else if (captured != null) {
            if (captured.containsKey(tensor)) {
                captured.merge(tensor, gradient, Tensor::add);
            }
        } else if (tensor.requiresGrad()) {
            Tensor previous = tensor.grad();
            tensor.setGrad(previous == null ? gradient.contiguous() : previous.add(gradient));
        }
    }

    /** The nodes the roots depend on, latest first: a valid reverse topological order. */
    private static List<Node> reachable(List<Tensor> roots) {
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
            if (node.isReleased()) {
                node.input(0); // throws the "graph was freed" explanation
            }
            stack.push(node);
        }
    }

    private static void check(Node node, int i, Tensor input, Tensor gradient) {
        if (!Arrays.equals(gradient.shape(), input.shape()) || gradient.dtype() != input.dtype()) {
            throw new IllegalStateException("backward of " + node.op().opName() + ": the rule gave input " + i
                    + " a gradient of shape " + Arrays.toString(gradient.shape()) + " " + gradient.dtype()
                    + ", the input is " + Arrays.toString(input.shape()) + " " + input.dtype());
        }
        Anomaly.check(node, gradient);
    }
}
