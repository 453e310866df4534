package dev.tessera.tensor;

/**
 * Where each (token, slot) assignment of a top-K routing goes in the expert-ordered buffer: the
 * result of {@link Fused#moePlan}, and what {@link Fused#moePermute} and {@link Fused#moeUnpermute}
 * dispatch by. An assignment is {@code a = t * K + k}; M is the number kept.
 *
 * @param counts I64 {@code [E]}: the rows each expert keeps (at most the capacity)
 * @param order I64 {@code [M]}: the assignment of each permuted row; rows grouped by ascending
 *     expert, in token order within an expert
 * @param position I64 {@code [T, K]}: the permuted row of each assignment, -1 if dropped
 * @param topK K
 * @param dropped assignments the capacity dropped: {@code T * K - M}
 */
public record MoePlan(Tensor counts, Tensor order, Tensor position, int topK, long dropped) {
    /** Checks that the parts fit together (shapes, dtypes, one device); their values are the caller's word. */
    public MoePlan {
        requireI64(counts, "counts", 1);
        requireI64(order, "order", 1);
        requireI64(position, "position", 2);
        Checks.sameDevice("MoePlan", counts, order, position);
        if (counts.shape()[0] < 1 || topK < 1 || position.shape()[1] != topK) {
            throw new IllegalArgumentException("MoePlan: needs at least one expert and topK >= 1 equal to position's"
                    + " second dim, got counts " + Shape.str(counts.shape()) + ", position "
                    + Shape.str(position.shape()) + ", topK " + topK);
        }
        long assignments = position.numel();
        if (dropped != assignments - order.shape()[0]) {
            throw new IllegalArgumentException("MoePlan: " + assignments + " assignments and " + order.shape()[0]
                    + " permuted rows mean " + (assignments - order.shape()[0]) + " dropped, got dropped " + dropped);
        }
    }

    /** E. */
    public int numExperts() {
        return Math.toIntExact(counts.shape()[0]);
    }

    /** T. */
    public long tokens() {
        return position.shape()[0];
    }

    /** M, the rows of the permuted buffer. */
    public long rows() {
        return order.shape()[0];
    }

    private static void requireI64(Tensor t, String name, int rank) {
        if (t.dtype() != DType.I64 || t.rank() != rank) {
            throw new IllegalArgumentException("MoePlan: " + name + " must be I64 of rank " + rank + ", got "
                    + t.dtype() + " " + Shape.str(t.shape()));
        }
    }
}
