package dev.tessera.autograd;

import dev.tessera.tensor.Fused;
import dev.tessera.tensor.MoePlan;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.OpArgs;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Derivatives of the MoE dispatch, each a gather-based sum in a fixed order (no atomics, REFERENCE
 * §2.3). moe_permute's x gets its gradient from moe_unpermute with weights 1 (each token sums the
 * rows of its kept slots, in ascending k). moe_unpermute's yp and weights both come from its
 * gradient kernel. grouped_matmul's xp gets the grouped product with the weights untransposed, and
 * every weight gets dY_e^T X_e from the weight-gradient kernel (exact zeros for an expert with no
 * rows). The plan and the counts are integers, held in the args: they get no gradient.
 */
final class MoeRules {
    private MoeRules() {}

    static void addTo(Map<Op, Rule> table) {
        table.put(Op.MOE_PERMUTE, (n, gradOutputs) -> {
            MoePlan plan = ((OpArgs.MoeDispatch) n.args()).plan();
            Tensor g = gradOutputs[0];
            Tensor ones = Tensor.ones(g.dtype(), plan.position().shape()).to(g.device());
            return new Tensor[] {Fused.moeUnpermute(g, plan, ones)};
        });
        table.put(Op.MOE_UNPERMUTE, (n, gradOutputs) -> {
            MoePlan plan = ((OpArgs.MoeDispatch) n.args()).plan();
            return Fused.moeUnpermuteBackward(gradOutputs[0], n.input(0), plan, n.input(1));
        });
        table.put(Op.GROUPED_MATMUL, MoeRules::groupedMatmul);
    }

    private static Tensor[] groupedMatmul(Node n, Tensor[] gradOutputs) {
        Tensor counts = ((OpArgs.Grouped) n.args()).counts();
        Tensor g = gradOutputs[0];
        Tensor xp = n.input(0);
        Tensor[] gradients = new Tensor[n.inputCount()];
        boolean anyWeight = false;
        List<Tensor> transposed = new ArrayList<>();
        for (int e = 1; e < gradients.length; e++) {
            anyWeight |= n.input(e).requiresGrad();
            transposed.add(n.input(e).transpose(0, 1));
        }
        if (xp.requiresGrad()) {
            gradients[0] = Fused.groupedMatmul(g, counts, transposed);
        }
        if (anyWeight) {
            Tensor[] weights = Fused.groupedMatmulWeightGrad(g, xp, counts);
            for (int e = 1; e < gradients.length; e++) {
                gradients[e] = n.input(e).requiresGrad() ? weights[e - 1] : null;
            }
        }
        return gradients;
    }
}
