package dev.tessera.nn.functional;

import dev.tessera.nn.Losses;
import dev.tessera.nn.Losses.Reduction;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;

/**
 * The functional forms of the layers, named as in {@code torch.nn.functional}, for code that
 * holds its own weights; the modules of {@code dev.tessera.nn} call the same ops. Everything here
 * is differentiable.
 */
public final class F {
    private F() {}

    /**
     * Attention of q [B, H, Nq, D] over k [B, Hkv, Nk, D] and v [B, Hkv, Nk, Dv], Hkv dividing H,
     * with scale 1/sqrt(D): the fused flash-style kernel, which never holds the Nq x Nk scores.
     * Causal masking is aligned bottom-right (key c is visible to query r iff
     * {@code c <= r + Nk - Nq}); a query row that sees no key gives zeros.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, boolean causal) {
        return scaledDotProductAttention(q, k, v, null, causal, 1 / Math.sqrt(q.size(-1)));
    }

    /**
     * As {@link #scaledDotProductAttention(Tensor, Tensor, Tensor, boolean)}, with an additive
     * {@code mask} broadcastable to [B, H, Nq, Nk] (-infinity hides a key; null for none; it gets
     * no gradient) and the given {@code scale}.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal,
            double scale) {
        return Fused.attention(q, k, v, mask, scale, causal);
    }

    /** {@code weight * x / sqrt(mean(x^2) + eps)} over the last dim, statistics in F32: one fused kernel each way. */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        return Fused.rmsNorm(x, weight, eps);
    }

    /** {@code x W^T + b} with W [out, in]; {@code bias} may be null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || x.rank() == 0 || x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input " + Shape.str(x.shape()) + " and weight "
                    + Shape.str(weight.shape()) + " must be [..., in] and [out, in]");
        }
        Tensor y = x.matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }

    /** The rows of {@code weight} [vocab, dim] that integer {@code ids} pick: shape ids.shape + [dim]. */
    public static Tensor embedding(Tensor ids, Tensor weight) {
        return Tensor.embedding(weight, ids);
    }

    /** x * sigmoid(x). */
    public static Tensor silu(Tensor x) {
        return x.silu();
    }

    /** The exact GELU, x * Phi(x). */
    public static Tensor gelu(Tensor x) {
        return x.gelu();
    }

    /** max(x, 0). */
    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    /** Softmax along {@code dim}. */
    public static Tensor softmax(Tensor x, int dim) {
        return x.softmax(dim);
    }

    /** Log-softmax along {@code dim}. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return x.logSoftmax(dim);
    }

    /** Mean cross-entropy of logits [..., C] against class ids [...], ignore_index -100: see {@link Losses#crossEntropy(Tensor, Tensor, int, Reduction)}. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return Losses.crossEntropy(logits, targets);
    }

    /** Cross-entropy with the given ignore_index and reduction: see {@link Losses#crossEntropy(Tensor, Tensor, int, Reduction)}. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, Reduction reduction) {
        return Losses.crossEntropy(logits, targets, ignoreIndex, reduction);
    }

    /** Mean squared error. */
    public static Tensor mseLoss(Tensor pred, Tensor target) {
        return Losses.mse(pred, target, Reduction.MEAN);
    }
}
