package dev.tessera.autograd;

import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.Map;

/**
 * The derivative of the fused RMSNorm: both gradients come from its gradient kernel, which reuses
 * the rstd the forward saved as its second output. That output is a saved statistic the front end
 * never hands out, so no gradient reaches it.
 */
final class NormRules {
    private NormRules() {}

    static void addTo(Map<Op, Rule> table) {
        table.put(Op.RMS_NORM, (node, gradOutputs) -> {
            Tensor x = node.input(0);
            Tensor weight = node.input(1);
            Tensor[] gradients = new Tensor[2];
            if (gradOutputs[0] == null) {
                return gradients;
            }
            Tensor[] both = Fused.rmsNormBackward(gradOutputs[0], x, weight, node.output(1));
            gradients[0] = x.requiresGrad() ? both[0] : null;
            gradients[1] = weight.requiresGrad() ? both[1] : null;
            return gradients;
        });
    }
}
