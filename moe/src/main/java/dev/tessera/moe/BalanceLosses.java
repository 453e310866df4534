package dev.tessera.moe;

import dev.tessera.autograd.Grad;
import dev.tessera.tensor.Tensor;

/**
 * The auxiliary balance losses of REFERENCE §1.6, each a scalar in the routing's dtype, computed
 * from any {@link Routing}; gradients flow through the scores (or logits) only, never through the
 * counts. Tokens are taken in order, in groups of {@code sequenceLength} consecutive tokens (the
 * rows of a [B, S, H] input), which must divide T. With no tokens every loss is 0.
 */
public final class BalanceLosses {
    /** As in the router's normalisation: keeps s / sum(s) finite when every sigmoid underflows to 0. */
    private static final double NORMALISE_EPS = 1e-20;

    private BalanceLosses() {}

    /**
     * The V3 complementary sequence-wise loss (§1.6.2): per sequence, alpha * sum_i f_i P_i with
     * P_i the mean over the sequence of s_i / (sum_j s_j + 1e-20), and f_i = E / (K S) times the tokens whose
     * top-K of the UNBIASED scores (no groups) holds i; the mean over sequences. Uniform routing gives alpha.
     */
    public static Tensor sequenceBalance(Routing routing, long sequenceLength, double alpha) {
        long sequences = sequences(routing, sequenceLength, "sequenceBalance");
        if (sequences == 0) {
            return zero(routing);
        }
        Tensor scores = routing.scores();
        Tensor share = scores.div(scores.sum(1, true).add(NORMALISE_EPS)).view(sequences, sequenceLength, routing.numExperts()).mean(1);
        Tensor chosen;
        try (Grad.Scope off = Grad.off()) {
            chosen = chosenCounts(scores.detach().topk(routing.topK()).indices(), routing);
        }
        return fTimesP(chosen, share, sequences, sequenceLength, routing, alpha);
    }

    /**
     * The DeepSeekMoE / V2 expert-level loss (§1.6.3, the Hugging Face {@code seq_aux} code form):
     * per group of {@code groupLength} tokens, alpha * sum_i f_i P_i with f_i = E / (K L) times the
     * assignments routed to i (the real selection) and P_i the mean raw score s_i; the mean over
     * groups. groupLength = S is {@code seq_aux = true}; groupLength = T is the batch form. Uniform
     * routing gives alpha.
     */
    public static Tensor expertBalance(Routing routing, long groupLength, double alpha) {
        long groups = sequences(routing, groupLength, "expertBalance");
        if (groups == 0) {
            return zero(routing);
        }
        Tensor share = routing.scores().view(groups, groupLength, routing.numExperts()).mean(1);
        Tensor chosen;
        try (Grad.Scope off = Grad.off()) {
            chosen = chosenCounts(routing.indices(), routing);
        }
        return fTimesP(chosen, share, groups, groupLength, routing, alpha);
    }

    /** The router z-loss (§1.6.5): coefficient * the mean over tokens of logsumexp(logits)^2. */
    public static Tensor zLoss(Routing routing, double coefficient) {
        if (routing.tokens() == 0) {
            return zero(routing);
        }
        return routing.logits().logsumexp(1).square().mean().mul(coefficient);
    }

    /** [T, E]: 1 where the token's indices hold the expert. */
    private static Tensor chosenCounts(Tensor indices, Routing routing) {
        Tensor scores = routing.scores();
        return Tensor.zeros(scores.dtype(), routing.tokens(), routing.numExperts()).to(scores.device())
                .scatterAdd(1, indices, Tensor.ones(scores.dtype(), routing.tokens(), routing.topK()).to(scores.device()));
    }

    /** alpha * mean over groups of sum_i f_i P_i, f_i = E / (K L) * (count of i in the group). */
    private static Tensor fTimesP(Tensor chosen, Tensor share, long groups, long length, Routing routing, double alpha) {
        Tensor f = chosen.view(groups, length, routing.numExperts()).sum(1)
                .mul((double) routing.numExperts() / (routing.topK() * (double) length));
        return f.mul(share).sum(1).mean().mul(alpha);
    }

    /** The number of groups of {@code length} tokens; 0 when there are no tokens, whatever the length. */
    private static long sequences(Routing routing, long length, String op) {
        long tokens = routing.tokens();
        if (tokens == 0) {
            return 0;
        }
        if (length <= 0 || tokens % length != 0) {
            throw new IllegalArgumentException("BalanceLosses." + op + ": a length of " + length
                    + " must be positive and divide the " + tokens + " tokens");
        }
        return tokens / length;
    }

    private static Tensor zero(Routing routing) {
        return Tensor.zeros(routing.scores().dtype()).to(routing.scores().device());
    }
}
