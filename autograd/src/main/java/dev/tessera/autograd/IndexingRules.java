package dev.tessera.autograd;

import static dev.tessera.autograd.InputGradient.perInput;
import static dev.tessera.autograd.RuleTensors.zerosLike;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.OpArgs;
import dev.tessera.tensor.Tensor;
import java.util.Map;

/**
 * Derivatives of the ops driven by an index tensor, and of cat. Each is the transpose of its
 * op: what gather reads, scatter_add writes back, and index_select pairs with index_add. The
 * index itself gets no gradient; it is an argument, not a recorded input.
 */
final class IndexingRules {
    private IndexingRules() {}

    static void addTo(Map<Op, Rule> table) {
        table.put(Op.GATHER, perInput((n, g) -> zerosLike(n.input(0)).scatterAdd(dim(n), index(n), g)));
        // Inputs (x, src) with src cut to the index's shape; out = x + src scattered.
        table.put(Op.SCATTER_ADD, perInput((n, g) -> g, (n, g) -> g.gather(dim(n), index(n))));
        table.put(Op.INDEX_SELECT, perInput((n, g) -> zerosLike(n.input(0)).indexAdd(dim(n), index(n), g)));
        table.put(Op.INDEX_ADD, perInput((n, g) -> g, (n, g) -> g.indexSelect(dim(n), index(n))));
        table.put(Op.CAT, IndexingRules::cat);
    }

    private static int dim(Node n) {
        return ((OpArgs.Indexed) n.args()).dim();
    }

    private static Tensor index(Node n) {
        return ((OpArgs.Indexed) n.args()).index();
    }

    /** Each part gets its own stretch of the gradient along the dim; any number of parts. */
    private static Tensor[] cat(Node n, Tensor[] gradOutputs) {
        int dim = ((OpArgs.Dim) n.args()).dim();
        Tensor[] gradients = new Tensor[n.inputCount()];
        long at = 0;
        for (int i = 0; i < gradients.length; i++) {
            long size = n.input(i).shape()[dim];
            if (n.input(i).requiresGrad()) {
                gradients[i] = gradOutputs[0].narrow(dim, at, size);
            }
            at += size;
        }
        return gradients;
    }
}
