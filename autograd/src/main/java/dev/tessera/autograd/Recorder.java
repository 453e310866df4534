package dev.tessera.autograd;

import dev.tessera.tensor.AutogradProvider;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.OpArgs;
import dev.tessera.tensor.Tensor;
import java.util.List;

/** The autograd module's side of the {@link AutogradProvider} hook: builds nodes, runs the engine. */
public final class Recorder implements AutogradProvider {
    @Override
    public boolean isEnabled() {
        return Grad.isEnabled();
    }

    @Override
    public void record(Op op, OpArgs args, Tensor[] inputs, Tensor[] outputs) {
        Node node = new Node(op, args, inputs, outputs, Anomaly.creationSite());
        for (Tensor output : outputs) {
            if (output.dtype().isFloating()) {
                output.setGradNode(node);
            }
        }
    }

    @Override
    public void backward(Tensor root, Tensor gradient, boolean retainGraph) {
        Engine.backward(List.of(root), List.of(gradient), retainGraph, LeafSink.ACCUMULATE);
    }
}
