package dev.tessera.autograd;

import static dev.tessera.autograd.InputGradient.perInput;
import static dev.tessera.autograd.RuleTensors.indices;
import static dev.tessera.autograd.RuleTensors.zerosLike;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.OpArgs;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Derivatives of the views. A view moves no data, so its gradient is the gradient moved back:
 * reshaped, permuted back, or added into zeros at the positions a slice or select kept.
 */
final class MovementRules {
    private MovementRules() {}

    static void addTo(Map<Op, Rule> table) {
        table.put(Op.RESHAPE, perInput(MovementRules::reshapeBack));
        table.put(Op.SQUEEZE, perInput(MovementRules::reshapeBack));
        table.put(Op.UNSQUEEZE, perInput(MovementRules::reshapeBack));
        table.put(Op.PERMUTE, perInput((n, g) -> g.permute(inverse(((OpArgs.Permute) n.args()).dims()))));
        table.put(Op.TRANSPOSE, perInput((n, g) -> {
            OpArgs.Transpose swap = (OpArgs.Transpose) n.args();
            return g.transpose(swap.a(), swap.b());
        }));
        table.put(Op.SLICE, perInput(MovementRules::sliceBack));
        table.put(Op.SELECT, perInput((n, g) -> {
            OpArgs.Select select = (OpArgs.Select) n.args();
            Tensor at = indices(g, select.index());
            return zerosLike(n.input(0)).indexAdd(select.dim(), at, g.unsqueeze(select.dim()));
        }));
        table.put(Op.EXPAND, perInput((n, g) -> unbroadcast(g, n.input(0).shape())));
    }

    private static Tensor reshapeBack(Node n, Tensor g) {
        return g.reshape(n.input(0).shape());
    }

    /** The permutation that undoes {@code dims}: dim dims[i] of the input came to position i. */
    private static int[] inverse(int[] dims) {
        int[] back = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            back[dims[i]] = i;
        }
        return back;
    }

    /** The gradient added into zeros at start, start + step, ... along the dim: the positions the slice kept. */
    private static Tensor sliceBack(Node n, Tensor g) {
        OpArgs.Slice slice = (OpArgs.Slice) n.args();
        long[] kept = new long[Math.toIntExact(g.shape()[slice.dim()])];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = slice.start() + i * slice.step();
        }
        return zerosLike(n.input(0)).indexAdd(slice.dim(), indices(g, kept), g);
    }

    /** Sums a gradient of an expanded shape back to the {@code shape} it was expanded from. */
    private static Tensor unbroadcast(Tensor gradient, long[] shape) {
        long[] big = gradient.shape();
        int lead = big.length - shape.length;
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < big.length; d++) {
            if (d < lead || (shape[d - lead] == 1 && big[d] != 1)) {
                dims.add(d);
            }
        }
        if (dims.isEmpty()) {
            return gradient;
        }
        int[] reduced = dims.stream().mapToInt(Integer::intValue).toArray();
        return gradient.sum(reduced, true).reshape(shape);
    }
}
