package dev.tessera.nn;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.function.Supplier;

/**
 * One pre-norm decoder layer of Llama / DeepSeek: {@code h = x + self_attn(input_layernorm(x))},
 * then {@code h + mlp(post_attention_layernorm(h))}, where the feed-forward {@code mlp} is a
 * SwiGLU or any other {@link FeedForward} module (DeepSeek's MoE layers). Children are named as in
 * Hugging Face checkpoints, so {@code model.layers.0.self_attn.q_proj.weight} loads without
 * renaming.
 */
public final class DecoderBlock extends Module {
    private final RMSNorm attentionNorm;
    private final Attention attention;
    private final RMSNorm mlpNorm;
    private final FeedForward mlp;

    /** A block over {@code hidden} features with a SwiGLU of width {@code intermediate}; see {@link Attention} for the rest. */
    public DecoderBlock(long hidden, int heads, int kvHeads, int headDim, long intermediate, double theta,
            double eps, Generator generator) {
        this(hidden, heads, kvHeads, headDim, theta, eps, generator, () -> new SwiGLU(hidden, intermediate, generator));
    }

    /**
     * A block whose feed-forward {@code mlp} builds. It is called after the attention is drawn from
     * {@code generator}, so a block draws its weights in the order of its names whatever the
     * feed-forward.
     */
    public <M extends Module & FeedForward> DecoderBlock(long hidden, int heads, int kvHeads, int headDim, double theta,
            double eps, Generator generator, Supplier<M> mlp) {
        this.attentionNorm = register("input_layernorm", new RMSNorm(hidden, eps));
        this.attention = register("self_attn", new Attention(hidden, heads, kvHeads, headDim, theta, generator));
        this.mlpNorm = register("post_attention_layernorm", new RMSNorm(hidden, eps));
        this.mlp = register("mlp", mlp.get());
    }

    /** Maps x [B, N, hidden] at {@code positions} ([N] or [B, N], I64) to [B, N, hidden]. */
    public Tensor forward(Tensor x, Tensor positions) {
        return forward(x, positions, null, 0);
    }

    /** As {@link #forward(Tensor, Tensor)}, the attention reading and extending entry {@code layer} of {@code cache} (null for none). */
    public Tensor forward(Tensor x, Tensor positions, KvCache cache, int layer) {
        Tensor h = x.add(attention.forward(attentionNorm.forward(x), positions, cache, layer));
        return h.add(mlp.forward(mlpNorm.forward(h)));
    }

    /** The feed-forward ({@code mlp}). */
    public FeedForward mlp() {
        return mlp;
    }
}
