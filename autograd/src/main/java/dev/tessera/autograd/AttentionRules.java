package dev.tessera.autograd;

import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.OpArgs;
import dev.tessera.tensor.Tensor;
import java.util.Map;

/**
 * The derivative of attention: one call of its gradient kernel, which rebuilds the probabilities
 * from the log-sum-exp the forward saved (its second output) and returns dq, dk and dv together.
 * The mask, when recorded as the fourth input, gets no gradient (the front end refuses a mask that
 * requires one).
 */
final class AttentionRules {
    private AttentionRules() {}

    static void addTo(Map<Op, Rule> table) {
        table.put(Op.ATTENTION, AttentionRules::attention);
    }

    private static Tensor[] attention(Node n, Tensor[] gradOutputs) {
        if (gradOutputs[1] != null) {
            throw new IllegalStateException("backward of attention: the log-sum-exp output is internal and takes no gradient");
        }
        Tensor[] gradients = new Tensor[n.inputCount()];
        if (gradOutputs[0] == null) {
            return gradients;
        }
        OpArgs.Attention args = (OpArgs.Attention) n.args();
        Tensor mask = n.inputCount() == 4 ? n.input(3) : null;
        Tensor[] qkv = Fused.attentionBackward(gradOutputs[0], n.input(0), n.input(1), n.input(2), mask, n.output(0),
                n.output(1), args.scale(), args.causal());
        for (int i = 0; i < 3; i++) {
            gradients[i] = n.input(i).requiresGrad() ? qkv[i] : null;
        }
        return gradients;
    }
}
