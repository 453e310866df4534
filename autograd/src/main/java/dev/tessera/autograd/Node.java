package dev.tessera.autograd;

import dev.tessera.tensor.GradNode;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.OpArgs;
import dev.tessera.tensor.Tensor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One recorded op in the graph: what ran ({@link #op()}, {@link #args()}), on which tensors, and
 * what it made. Derivative rules read it; the engine walks it backwards. After a backward without
 * {@code retainGraph} the node is released and drops its tensors.
 */
public final class Node implements GradNode {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Op op;
    private final OpArgs args;
    private final long sequence;
    private final StackTraceElement[] creation;
    private Tensor[] inputs;
    private Tensor[] outputs;

    Node(Op op, OpArgs args, Tensor[] inputs, Tensor[] outputs, StackTraceElement[] creation) {
        this.op = op;
        this.args = args;
        this.inputs = inputs;
        this.outputs = outputs;
        this.creation = creation;
        this.sequence = SEQUENCE.getAndIncrement();
    }

    public Op op() {
        return op;
    }

    @Override
    public String opName() {
        return op.opName();
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

    /** Creation order: every input of a node was made before the node, so later nodes come first in backward. */
    long sequence() {
        return sequence;
    }

    /** Where the op was called, when anomaly mode was on at the time; otherwise null. */
    StackTraceElement[] creation() {
        return creation;
    }

    boolean isReleased() {
        return inputs == null;
    }

    void release() {
        inputs = null;
        outputs = null;
    }

    private Tensor[] live(Tensor[] tensors) {
        if (tensors == null) {
            throw new IllegalStateException("backward: the graph through " + op.opName() + " was freed by an earlier"
                    + " backward; pass retainGraph = true to the first backward to go through it twice");
        }
        return tensors;
    }

    @Override
    public String toString() {
        return "Node(" + op.opName() + ")";
    }
}
