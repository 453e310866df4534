package dev.tessera.nn;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;

/**
 * One pre-norm decoder layer of Llama / DeepSeek: {@code h = x + self_attn(input_layernorm(x))},
 * then {@code h + mlp(post_attention_layernorm(h))}, with a SwiGLU feed-forward. Children are
 * named as in Hugging Face checkpoints, so {@code model.layers.0.self_attn.q_proj.weight} loads
 * without renaming.
 */
public final class DecoderBlock extends Module {
    private final RMSNorm attentionNorm;
    private final Attention attention;
    private final RMSNorm mlpNorm;
    private final SwiGLU mlp;

    /** A block over {@code hidden} features; see {@link Attention} and {@link SwiGLU} for the rest. */
    public DecoderBlock(long hidden, int heads, int kvHeads, int headDim, long intermediate, double theta,
            double eps, Generator generator) {
        this.attentionNorm = register("input_layernorm", new RMSNorm(hidden, eps));
        this.attention = register("self_attn", new Attention(hidden, heads, kvHeads, headDim, theta, generator));
        this.mlpNorm = register("post_attention_layernorm", new RMSNorm(hidden, eps));
        this.mlp = register("mlp", new SwiGLU(hidden, intermediate, generator));
    }

    /** Maps x [B, N, hidden] at {@code positions} ([N] or [B, N], I64) to [B, N, hidden]. */
    public Tensor forward(Tensor x, Tensor positions) {
        Tensor h = x.add(attention.forward(attentionNorm.forward(x), positions));
        return h.add(mlp.forward(mlpNorm.forward(h)));
    }
}
