package dev.tessera.moe;

import dev.tessera.tensor.Tensor;

/**
 * What a {@link Router} decided for T tokens over E routed experts.
 *
 * @param indices I64 [T, K]: the experts each token goes to (a token's K ids are distinct)
 * @param weights [T, K], F32 (F64 in an F64 module): the gating weight of each chosen expert,
 *     differentiable w.r.t. the router's parameters and the input; a slot a router leaves unused
 *     carries weight 0
 * @param scores [T, E]: the affinities over every routed expert (softmax or sigmoid of the logits,
 *     without any selection bias), differentiable; the balance losses read them
 * @param logits [T, E]: the router's pre-activation outputs, differentiable; the z-loss reads them
 */
public record Routing(Tensor indices, Tensor weights,
        Tensor scores, Tensor logits) {

    /** T, the tokens routed. */
    public long tokens() {
        return indices.size(0);
    }

    /** K, the experts per token. */
    public int topK() {
        return Math.toIntExact(indices.size(1));
    }

    /** E, the routed experts. */
    public int numExperts() {
        return Math.toIntExact(scores.size(1));
    }
}
