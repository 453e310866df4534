package dev.tessera.nn;

import dev.tessera.nn.functional.F;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.List;

/**
 * Causal multi-head self-attention with grouped-query heads and rotary positions, as Llama and
 * DeepSeek's dense layers compute it: q, k and v projections without bias ({@code q_proj}
 * [heads x headDim, hidden], {@code k_proj} and {@code v_proj} [kvHeads x headDim, hidden]),
 * RoPE on q and k, the fused flash-style attention kernel with scale 1/sqrt(headDim), and
 * {@code o_proj} [hidden, heads x headDim] back. Query head h reads key/value head
 * h / (heads / kvHeads).
 */
public final class Attention extends Module {
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear o;
    private final RotaryEmbedding rope;

    /**
     * A layer over {@code hidden} features with {@code heads} query heads and {@code kvHeads}
     * key/value heads (dividing heads) of {@code headDim} features, rotary base {@code theta}.
     */
    public Attention(long hidden, int heads, int kvHeads, int headDim, double theta, Generator generator) {
        if (hidden <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("Attention: hidden, heads, kvHeads and headDim must be positive and"
                    + " kvHeads must divide heads, got hidden=" + hidden + ", heads=" + heads + ", kvHeads="
                    + kvHeads + ", headDim=" + headDim);
        }
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.rope = new RotaryEmbedding(headDim, theta);
        this.q = register("q_proj", new Linear(hidden, (long) heads * headDim, false, generator));
        this.k = register("k_proj", new Linear(hidden, (long) kvHeads * headDim, false, generator));
        this.v = register("v_proj", new Linear(hidden, (long) kvHeads * headDim, false, generator));
        this.o = register("o_proj", new Linear((long) heads * headDim, hidden, false, generator));
    }

    /**
     * Maps x [B, N, hidden] to [B, N, hidden]; {@code positions} (I64, [N] or [B, N]) are the
     * tokens' positions for RoPE, usually 0..N-1. Token i attends to tokens 0..i.
     */
    public Tensor forward(Tensor x, Tensor positions) {
        return forward(x, positions, null, 0);
    }

    /**
     * As {@link #forward(Tensor, Tensor)} for the new tokens x of a sequence whose earlier keys and
     * values are entry {@code layer} of {@code cache} (null for none): their keys and values are
     * appended there, and the new tokens attend to every cached token and causally to each other.
     * {@code positions} are then the new tokens' own ({@code cache.length()} onwards).
     */
    public Tensor forward(Tensor x, Tensor positions, KvCache cache, int layer) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException("Attention: input of shape " + Shape.str(x.shape())
                    + " must have shape [batch, tokens, hidden]");
        }
        long batch = x.size(0);
        long tokens = x.size(1);
        Tensor queries = rope.apply(split(q.forward(x), heads), positions);
        Tensor keys = rope.apply(split(k.forward(x), kvHeads), positions);
        Tensor values = split(v.forward(x), kvHeads);
        if (cache != null) {
            List<Tensor> all = cache.append(layer, keys, values);
            keys = all.get(0);
            values = all.get(1);
        }
        Tensor attended = F.scaledDotProductAttention(queries, keys, values, true);
        return o.forward(attended.transpose(1, 2).reshape(batch, tokens, (long) heads * headDim));
    }

    /** [B, N, count x headDim] to [B, count, N, headDim], a view. */
    private Tensor split(Tensor projected, int count) {
        return projected.view(projected.size(0), projected.size(1), count, headDim).transpose(1, 2);
    }

    @Override
    protected String describeSettings() {
        return "heads=" + heads + ", kvHeads=" + kvHeads + ", headDim=" + headDim + ", theta=" + rope.theta();
    }
}
