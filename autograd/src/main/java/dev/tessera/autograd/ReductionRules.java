package dev.tessera.autograd;

import static dev.tessera.autograd.InputGradient.perInput;
import static dev.tessera.autograd.RuleTensors.indices;
import static dev.tessera.autograd.RuleTensors.reducedDims;
import static dev.tessera.autograd.RuleTensors.sumOver;
import static dev.tessera.autograd.RuleTensors.zerosLike;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.OpArgs;
import dev.tessera.tensor.Tensor;
import java.util.Map;

/**
 * Derivatives of the reductions, the ops along one dim and matmul. A reduction records its
 * keepdim-shaped output (dropping the dims is a RESHAPE after it), so its gradient broadcasts
 * straight back over the input.
 */
final class ReductionRules {
    private ReductionRules() {}

    static void addTo(Map<Op, Rule> table) {
        table.put(Op.SUM, perInput((n, g) -> g.expand(n.input(0).shape())));
        table.put(Op.MAX, perInput(ReductionRules::extremum));
        table.put(Op.MIN, perInput(ReductionRules::extremum));
        // d/dx log sum exp x = exp(x - y): the softmax over the reduced dims.
        table.put(Op.LOGSUMEXP, perInput((n, g) -> g.mul(n.input(0).sub(n.output(0)).exp())));

        // softmax: y (g - sum(g y)); log_softmax: g - exp(y) sum(g); both along the dim.
        table.put(Op.SOFTMAX, perInput((n, g) -> {
            Tensor y = n.output(0);
            return y.mul(g.sub(g.mul(y).sum(dim(n), true)));
        }));
        table.put(Op.LOG_SOFTMAX, perInput((n, g) -> g.sub(n.output(0).exp().mul(g.sum(dim(n), true)))));
        table.put(Op.CUMSUM, perInput((n, g) -> reverseCumsum(g, dim(n))));
        // Each kept value goes back to where it came from: outputs are (values, indices).
        table.put(Op.TOPK, perInput((n, g) -> zerosLike(n.input(0)).scatterAdd(dim(n), n.output(1), g)));

        // Operands arrive with the batch dims expanded to the same shape; EXPAND's rule sums them back.
        table.put(Op.MATMUL, perInput(
                (n, g) -> g.matmul(n.input(1).transpose(-1, -2)),
                (n, g) -> n.input(0).transpose(-1, -2).matmul(g)));
    }

    private static int dim(Node n) {
        return ((OpArgs.Dim) n.args()).dim();
    }

    /** max and min: the gradient split evenly among the elements equal to the extremum, as PyTorch's amax. */
    private static Tensor extremum(Node n, Tensor g) {
        Tensor x = n.input(0);
        Tensor y = n.output(0);
        Tensor hits = x.eq(y).to(x.dtype());
        Tensor count = sumOver(hits, reducedDims(x.shape(), y.shape()));
        return g.div(count).mul(hits);
    }

    /** Sums from each position to the end of the dim: the cumsum of g reversed, reversed back (exact, no cancellation). */
    private static Tensor reverseCumsum(Tensor g, int dim) {
        long n = g.shape()[dim];
        long[] backwards = new long[Math.toIntExact(n)];
        for (int i = 0; i < backwards.length; i++) {
            backwards[i] = n - 1 - i;
        }
        Tensor flip = indices(g, backwards);
        return g.indexSelect(dim, flip).cumsum(dim).indexSelect(dim, flip);
    }
}
