package dev.tessera.autograd;

import dev.tessera.tensor.GradNode;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.OpArgs;
import dev.tessera.tensor.Tensor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One recorded step of the graph: what ran, on which tensors, and what it made. Derivative rules
 * read it; the engine walks it backwards. Most nodes record a catalog {@link #op()} whose rule
 * lives in {@link Derivatives}; a few (a checkpoint) carry their own rule and only a name, and then
 * {@code op()} is null. After a backward without {@code retainGraph} the node is released and
 * drops its tensors.
 */
public final class Node implements GradNode {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Op op;
    /** Only for a node outside the catalog: a catalog node asks its op when a message needs it, since Op.opName() lower-cases on every call. */
    private final String name;
    private final Rule rule;
    private final OpArgs args;
    private final long sequence;
    private final StackTraceElement[] creation;
    private Tensor[] inputs;
    private Tensor[] outputs;

    /** A catalog op, differentiated by its entry in {@link Derivatives}. */
    Node(Op op, OpArgs args, Tensor[] inputs, Tensor[] outputs, StackTraceElement[] creation) {
        this(op, null, null, args, inputs, outputs, creation);
    }

    /** A step outside the catalog, named {@code name} in messages and differentiated by {@code rule}. */
    Node(String name, Rule rule, Tensor[] inputs, Tensor[] outputs, StackTraceElement[] creation) {
        this(null, name, rule, OpArgs.NONE, inputs, outputs, creation);
    }

    private Node(Op op, String name, Rule rule, OpArgs args, Tensor[] inputs, Tensor[] outputs,
            StackTraceElement[] creation) {
        this.op = op;
        this.name = name;
        this.rule = rule;
        this.args = args;
        this.inputs = inputs;
        this.outputs = outputs;
        this.creation = creation;
        this.sequence = SEQUENCE.getAndIncrement();
    }

    /** The catalog op, or null for a node with its own rule (see {@link #opName()}). */
    public Op op() {
        return op;
    }

    @Override
    public String opName() {
        return op != null ? op.opName() : name;
    }

    public OpArgs args() {
        return args;
    }

    public int inputCount() {
        return live(inputs).length;
    }

    public int outputCount() {
        return live(outputs).length;
    }

    /** Input {@code i} exactly as the op's kernel read it (a broadcast operand arrives expanded). */
    public Tensor input(int i) {
        return live(inputs)[i];
    }

    /** Output {@code i} of the op. */
    public Tensor output(int i) {
        return live(outputs)[i];
    }

    /** The derivative of this step: its own rule, or its op's entry in the table. */
    Rule rule() {
        return rule != null ? rule : Derivatives.rule(op);
    }

    /** Creation order: every input of a node was made before the node, so later nodes come first in backward. */
    long sequence() {
        return sequence;
    }

    /** Where the op was called, when anomaly mode was on at the time; otherwise null. */
    StackTraceElement[] creation() {
        return creation;
    }

    /** Throws the "graph was freed" explanation when an earlier backward released this node. */
    void requireLive() {
        live(inputs);
    }

    void release() {
        inputs = null;
        outputs = null;
    }

    private Tensor[] live(Tensor[] tensors) {
        if (tensors == null) {
            throw new IllegalStateException("backward: the graph through " + opName() + " was freed by an earlier"
                    + " backward; pass retainGraph = true to the first backward to go through it twice");
        }
        return tensors;
    }

    @Override
    public String toString() {
        return "Node(" + opName() + ")";
    }
}
