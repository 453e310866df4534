package dev.tessera.autograd;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;

/**
 * The derivative rule of every recorded op, in one place: given the gradients of an op's
 * outputs, the gradients of its inputs, written with tensor ops so they run on any backend.
 * Broadcasting needs no rule of its own: operands arrive expanded, and EXPAND's rule sums.
 */
final class Derivatives {
    private Derivatives() {}

    static Rule rule(Op op) {
        return switch (op) {
            case ADD -> (n, g) -> new Tensor[] {g[0], g[0]};
            case MUL -> (n, g) -> new Tensor[] {g[0].mul(n.input(1)), g[0].mul(n.input(0))};
            case RELU -> (n, g) -> new Tensor[] {g[0].mul(n.input(0).gt(0).to(g[0].dtype()))};
            case SUM -> (n, g) -> new Tensor[] {g[0].expand(n.input(0).shape()).contiguous()};
            case MATMUL -> (n, g) -> new Tensor[] {g[0].matmul(n.input(1).transpose(-1, -2)),
                    n.input(0).transpose(-1, -2).matmul(g[0])};
            case RESHAPE -> (n, g) -> new Tensor[] {g[0].reshape(n.input(0).shape())};
            case EXPAND -> (n, g) -> new Tensor[] {unbroadcast(g[0], n.input(0).shape())};
            default -> throw new UnsupportedOperationException("no derivative rule for " + op.opName() + " yet");
        };
    }

    /** Sums a gradient of an expanded shape back to the {@code shape} it was expanded from. */
    static Tensor unbroadcast(Tensor gradient, long[] shape) {
        long[] big = gradient.shape();
        int lead = big.length - shape.length;
        java.util.List<Integer> dims = new java.util.ArrayList<>();
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
