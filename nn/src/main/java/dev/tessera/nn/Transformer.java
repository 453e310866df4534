package dev.tessera.nn;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoder-only language model as Llama lays it out: token embeddings, {@link DecoderBlock}s,
 * a final RMSNorm and an untied output projection. Parameters carry the Hugging Face names
 * ({@code model.embed_tokens.weight}, {@code model.layers.0.self_attn.q_proj.weight},
 * {@code model.norm.weight}, {@code lm_head.weight}), so a Llama checkpoint of the same shape
 * loads without renaming.
 */
public final class Transformer extends Module {
    private final TransformerConfig config;
    private final DecoderStack model;
    private final Linear lmHead;

    /** A model of the given shape, its weights drawn from {@code generator} (embeddings N(0, 1), Linear layers PyTorch's default). */
    public Transformer(TransformerConfig config, Generator generator) {
        this.config = config;
        this.model = register("model", body(config, generator));
        this.lmHead = register("lm_head", new Linear(config.hiddenSize(), config.vocabSize(), false, generator));
    }

    /** The logits [B, N, vocab] of the next token after each of the integer token {@code ids} [B, N], at positions 0..N-1. */
    public Tensor forward(Tensor ids) {
        return lmHead.forward(model.forward(ids, DecoderStack.positions("Transformer", ids)));
    }

    /** The shape this model was built with. */
    public TransformerConfig config() {
        return config;
    }

    /** Everything but the output projection, named {@code model} as in Hugging Face checkpoints. */
    private static DecoderStack body(TransformerConfig c, Generator generator) {
        Embedding embed = new Embedding(c.vocabSize(), c.hiddenSize(), generator);
        List<DecoderBlock> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(new DecoderBlock(c.hiddenSize(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(),
                    c.intermediateSize(), c.ropeTheta(), c.rmsNormEps(), generator));
        }
        return new DecoderStack(embed, layers, new RMSNorm(c.hiddenSize(), c.rmsNormEps()));
    }
}
