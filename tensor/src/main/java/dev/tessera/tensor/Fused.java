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
}
