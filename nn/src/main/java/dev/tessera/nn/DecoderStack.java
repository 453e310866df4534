package dev.tessera.nn;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.List;

/**
 * The body of a decoder-only language model, everything but the output projection, as Hugging
 * Face's {@code LlamaModel} / {@code DeepseekModel} lays it out under the name {@code model}:
 * {@code embed_tokens}, {@code layers.{i}} ({@link DecoderBlock}s) and the final {@code norm}.
 */
public final class DecoderStack extends Module {
    private final Embedding embed;
    private final ModuleList layers;
    private final RMSNorm norm;

    /** A stack of {@code layers} between the token embedding {@code embed} and the final {@code norm}. */
    public DecoderStack(Embedding embed, List<DecoderBlock> layers, RMSNorm norm) {
        this.embed = register("embed_tokens", embed);
        this.layers = register("layers", new ModuleList());
        for (DecoderBlock layer : layers) {
            this.layers.add(layer);
        }
        this.norm = register("norm", norm);
    }

    /** The normed hidden states [B, N, hidden] of the integer token {@code ids} [B, N] at {@code positions} ([N] or [B, N], I64). */
    public Tensor forward(Tensor ids, Tensor positions) {
        Tensor h = embed.forward(ids);
        for (Module layer : layers) {
            h = ((DecoderBlock) layer).forward(h, positions);
        }
        return norm.forward(h);
    }

    /**
     * The normed hidden states [B, N, hidden] of the new token {@code ids} [B, N] following the
     * {@code cache.length()} tokens in {@code cache}: they sit at positions cache.length() onwards,
     * attend to the cached tokens, and are appended to the cache.
     */
    public Tensor forward(Tensor ids, KvCache cache) {
        if (cache.layers() != layers.size()) {
            throw new IllegalArgumentException("DecoderStack.forward: a cache of " + cache.layers() + " layers for "
                    + layers.size() + " blocks");
        }
        positions("DecoderStack", ids);
        long[] at = new long[(int) ids.size(1)];
        for (int i = 0; i < at.length; i++) {
            at[i] = cache.length() + i;
        }
        Tensor positions = Tensor.of(at, at.length).to(ids.device());
        Tensor h = embed.forward(ids);
        for (int i = 0; i < layers.size(); i++) {
            h = layer(i).forward(h, positions, cache, i);
        }
        cache.advance(ids.size(1));
        return norm.forward(h);
    }

    /**
     * The positions 0..N-1 [N] of the token {@code ids} [B, N], on their device; anything but integer
     * ids of that shape is refused with a message naming {@code model}.
     */
    public static Tensor positions(String model, Tensor ids) {
        if (ids.rank() != 2 || ids.dtype().isFloating() || ids.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(model + ": ids must be integer token ids of shape [batch, tokens], got "
                    + ids.dtype() + " " + Shape.str(ids.shape()));
        }
        return Tensor.arange(ids.size(1)).to(ids.device());
    }

    /** The token embedding ({@code embed_tokens}), whose weight a tied output projection reuses. */
    public Embedding embedTokens() {
        return embed;
    }

    /** Block {@code i} ({@code layers.i}). */
    public DecoderBlock layer(int i) {
        return (DecoderBlock) layers.get(i);
    }

    /** The number of blocks. */
    public int numLayers() {
        return layers.size();
    }
}
