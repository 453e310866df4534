package dev.tessera.autograd;

import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.OpArgs;
import dev.tessera.tensor.Tensor;
import java.util.Map;

/**
 * Derivatives of the fused losses. Cross-entropy records inputs (logits, targets) and outputs
 * (loss, lse); the logits' gradient is the gradient kernel's softmax-minus-one-hot scaled by the
 * loss gradient, from the saved lse, without any [N, C] intermediate. The targets are class ids
 * and get none; lse is never handed out by the front end, so no gradient arrives through it.
 */
final class LossRules {
    private LossRules() {}

    static void addTo(Map<Op, Rule> table) {
        table.put(Op.CROSS_ENTROPY, (n, gradOutputs) -> {
            long ignoreIndex = ((OpArgs.CrossEntropy) n.args()).ignoreIndex();
            return new Tensor[] {
                Fused.crossEntropyBackward(gradOutputs[0], n.input(0), n.input(1), n.output(1), ignoreIndex), null};
        });
    }
}
