package dev.tessera.tensor;

/**
 * The parameters of a recorded op that its inputs and outputs do not already tell: what a
 * derivative rule needs beyond the tensors. Shapes are not here: the recorded tensors carry them.
 */
public sealed interface OpArgs {
    /** No parameters (elementwise ops, matmul, reshape, expand, casts, reductions: the shapes say it all). */
    record None() implements OpArgs {}

    /** The dim an op worked along (softmax, log_softmax, cumsum, topk, argmax, argmin, cat). */
    record Dim(int dim) implements OpArgs {}

    /** The bounds of clamp; infinite when absent. */
    record Clamp(double lo, double hi) implements OpArgs {}

    /** The dim and the integer index tensor of gather, scatter_add, index_select, index_add. */
    record Indexed(int dim, Tensor index) implements OpArgs {}

    /** A slice along {@code dim} starting at {@code start} with step {@code step}; the output's size says how many. */
    record Slice(int dim, long start, long step) implements OpArgs {}

    /** A select of position {@code index} along {@code dim}. */
    record Select(int dim, long index) implements OpArgs {}

    /** A permutation: dim i of the output is dim {@code dims[i]} of the input. */
    record Permute(int[] dims) implements OpArgs {}

    /** A swap of two dims. */
    record Transpose(int a, int b) implements OpArgs {}

    /** The class id of cross-entropy whose targets are left out (loss 0, no gradient). */
    record CrossEntropy(long ignoreIndex) implements OpArgs {}

    /** The epsilon of rms_norm, added to the mean square under the root. */
    record RmsNorm(double eps) implements OpArgs {}

    /** Attention's softmax scale and whether it is causal (bottom-right aligned). */
    record Attention(double scale, boolean causal) implements OpArgs {}

    /** The plan moe_permute and moe_unpermute dispatched by: which permuted row each assignment went to. */
    record MoeDispatch(MoePlan plan) implements OpArgs {}

    /** The rows per expert (I64 [E]) of a grouped_matmul: expert e owns the next counts[e] rows. */
    record Grouped(Tensor counts) implements OpArgs {}

    OpArgs NONE = new None();
}
