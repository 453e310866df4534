package dev.tessera.tensor;

/** Fused kernels of the catalog that nn is built on: each a primitive with its own gradient kernel. */
public final class Fused {
    private Fused() {}

    /**
     * Cross-entropy of floating {@code logits} [..., C] against integer class ids {@code targets}
     * [...] (I64, or I32 widened to I64): per element {@code logsumexp(row) - row[target]}, 0
     * where the target equals {@code ignoreIndex}; every other target must lie in [0, C). The
     * result has targets' shape, in F64 for F64 logits and F32 otherwise (BF16 and F16 logits are
     * read as floats). Recorded as {@link Op#CROSS_ENTROPY} with outputs (loss, lse), so autograd
     * differentiates it through {@link #crossEntropyBackward}.
     *
     * @throws IllegalArgumentException for non-floating or 0-d logits, non-integer targets, a
     *     targets shape other than logits' without its last dim, tensors on two devices, or a
     *     target outside [0, C) that is not ignoreIndex
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, long ignoreIndex) {
        return CrossEntropy.forward(logits, targets, ignoreIndex);
    }

    /**
     * The gradient of {@link #crossEntropy} with respect to the logits: {@code gradLogits[..., c] =
     * gradLoss[...] * (exp(logits[..., c] - lse[...]) - [c == target])}, zero where the target is
     * ignored; logits' shape and dtype. {@code gradLoss} and {@code lse} have targets' shape and
     * the loss dtype; lse is the forward's saved log-sum-exp. Not recorded: autograd calls it
     * inside the rule of {@link Op#CROSS_ENTROPY}.
     *
     * @throws IllegalArgumentException for the forward's bad inputs, or a gradLoss or lse of
     *     another shape or dtype
     */
    public static Tensor crossEntropyBackward(Tensor gradLoss, Tensor logits, Tensor targets, Tensor lse,
            long ignoreIndex) {
        return CrossEntropy.backward(gradLoss, logits, targets, lse, ignoreIndex);
    }

    /**
     * RMSNorm over the last dim: {@code y = weight * x / sqrt(mean(x^2) + eps)}, in x's shape and
     * dtype, the statistics in F32 (F64 for F64 x). Recorded as {@code rms_norm}, whose second
     * output, the per-row {@code 1 / sqrt(mean(x^2) + eps)}, is what the gradient reuses.
     *
     * @param x any floating tensor of rank >= 1 with a non-empty last dim of size n
     * @param weight 1-D of size n, x's dtype and device
     * @param eps finite, >= 0
     */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        return RmsNorm.forward(x, weight, eps);
    }

    /**
     * The gradient kernel of {@link #rmsNorm}: {@code {gradX, gradWeight}} from {@code gradOut}
     * (x's shape and dtype) and the forward's x, weight and saved rstd (x's shape without the
     * last dim, F32 or F64 for F64 x). Not recorded: it runs inside a derivative rule.
     */
    public static Tensor[] rmsNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor rstd) {
        return RmsNorm.backward(gradOut, x, weight, rstd);
    }

    /**
     * {@code softmax(scale q k^T + mask) v} per batch and head, without materialising the score
     * matrix. q {@code [B, H, Nq, D]}, k {@code [B, Hkv, Nk, D]}, v {@code [B, Hkv, Nk, Dv]}, where
     * Hkv divides H and query head h reads kv head {@code h / (H / Hkv)} (grouped-query attention).
     * {@code mask} is null or an additive mask of the same dtype broadcastable to
     * {@code [B, H, Nq, Nk]} (-infinity hides a key); it gets no gradient, so one that requires grad
     * is refused. {@code causal} hides key c from query r when {@code c > r + Nk - Nq} (aligned to the
     * bottom-right corner, as for a KV cache). A query that sees no key gets 0.
     *
     * @return out {@code [B, H, Nq, Dv]} in q's dtype
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, boolean causal) {
        return FusedAttention.attention(q, k, v, mask, scale, causal);
    }

    /**
     * The gradient kernel of {@link #attention}: given the gradient of out, the forward's inputs,
     * its out and its saved log-sum-exp {@code lse} ({@code [B, H, Nq]}, F64 for F64 inputs, F32
     * otherwise), returns {@code {gradQ, gradK, gradV}} of q's, k's and v's shapes. Not recorded.
     */
    public static Tensor[] attentionBackward(Tensor gradOut, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out,
            Tensor lse, double scale, boolean causal) {
        return FusedAttention.attentionBackward(gradOut, q, k, v, mask, out, lse, scale, causal);
    }

    /**
     * The MoE dispatch plan: a stable counting sort by expert of the assignments {@code a = t * K + k}
     * of {@code expertIds} {@code [T, K]} (I64 or I32, each in {@code [0, numExperts)}), deterministic.
     * Each expert keeps at most {@code capacity} assignments, the earliest tokens first (the
     * "position" policy); the rest are dropped. Pass {@link Long#MAX_VALUE} for dropless routing.
     * Not differentiable: every part of the plan is an integer. Counted in one sequential pass,
     * O(T K + E), which is small next to the expert GEMMs.
     *
     * @throws IllegalArgumentException for ids that are not I32/I64 [T, K] with K >= 1, an id
     *     outside [0, numExperts), numExperts < 1 or a negative capacity
     */
    public static MoePlan moePlan(Tensor expertIds, int numExperts, long capacity) {
        return MoeDispatch.plan(expertIds, numExperts, capacity);
    }

    /**
     * The gather of tokens into expert order: row p of the result ({@code [M, H]}) is
     * {@code x[order[p] / K]}, for a floating {@code x} {@code [T, H]}. Recorded as
     * {@link Op#MOE_PERMUTE}; x's gradient sums the rows of each token's kept slots.
     */
    public static Tensor moePermute(Tensor x, MoePlan plan) {
        return MoeDispatch.permute(x, plan);
    }

    /**
     * The weighted gather back to token order: {@code y[t] = sum_k weights[t, k] * yp[position[t, k]]}
     * over the kept slots, in ascending k (no atomics); {@code [T, H]} from a floating {@code yp}
     * {@code [M, H]} and {@code weights} {@code [T, K]} of yp's dtype. A token whose slots were all
     * dropped gets zeros. Recorded as {@link Op#MOE_UNPERMUTE}, differentiable in yp and weights
     * through {@link #moeUnpermuteBackward}.
     */
    public static Tensor moeUnpermute(Tensor yp, MoePlan plan, Tensor weights) {
        return MoeDispatch.unpermute(yp, plan, weights);
    }

    /**
     * The gradient kernel of {@link #moeUnpermute}: {@code {gradYp, gradWeights}}, where row p of
     * gradYp is {@code weights[a] * gradOut[t(a)]} for its assignment {@code a = order[p]}, and
     * {@code gradWeights[t, k] = <gradOut[t], yp[position[t, k]]>}, 0 for a dropped slot. Not recorded.
     */
    public static Tensor[] moeUnpermuteBackward(Tensor gradOut, Tensor yp, MoePlan plan, Tensor weights) {
        return MoeDispatch.unpermuteBackward(gradOut, yp, plan, weights);
    }

    /**
     * One product per expert over its rows of {@code xp} {@code [M, In]}: expert e owns the next
     * {@code counts[e]} rows (counts I64 {@code [E]}, non-negative, summing to M) and multiplies them
     * by {@code weights.get(e)^T}, every weight {@code [Out, In]} of xp's dtype and device. Returns
     * {@code [M, Out]}. Recorded as {@link Op#GROUPED_MATMUL} with inputs xp and the E weights; an
     * expert with no rows costs nothing and gets an exact zero gradient.
     *
     * @throws IllegalArgumentException for counts that do not sum to M or are negative, a weights
     *     list whose size is not E, or a weight of the wrong shape, dtype or device
     */
    public static Tensor groupedMatmul(Tensor xp, Tensor counts, java.util.List<Tensor> weights) {
        return GroupedMatmul.forward(xp, counts, weights);
    }

    /**
     * The weight-gradient kernel of {@link #groupedMatmul}: {@code dW_e = gradOut_e^T xp_e}
     * ({@code [Out, In]}) for every expert, exact zeros for one with no rows. Not recorded.
     */
    public static Tensor[] groupedMatmulWeightGrad(Tensor gradOut, Tensor xp, Tensor counts) {
        return GroupedMatmul.weightGrad(gradOut, xp, counts);
    }
}
