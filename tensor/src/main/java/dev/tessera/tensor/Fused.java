package dev.tessera.tensor;

/** Fused kernels of the catalog that nn is built on: each a primitive with its own gradient kernel. */
public final class Fused {
    private Fused() {}

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
