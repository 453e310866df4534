package dev.tessera.nn;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;

/**
 * A decoder-only language model as Llama lays it out: token embeddings, {@link DecoderBlock}s,
 * a final RMSNorm and an untied output projection. Parameters carry the Hugging Face names
 * ({@code model.embed_tokens.weight}, {@code model.layers.0.self_attn.q_proj.weight},
 * {@code model.norm.weight}, {@code lm_head.weight}), so a Llama checkpoint of the same shape
 * loads without renaming.
 */
public final class Transformer extends Module {
    private final TransformerConfig config;
    private final Body model;
    private final Linear lmHead;

    /** A model of the given shape, its weights drawn from {@code generator} (embeddings N(0, 1), Linear layers PyTorch's default). */
    public Transformer(TransformerConfig config, Generator generator) {
        this.config = config;
        this.model = register("model", new Body(config, generator));
        this.lmHead = register("lm_head", new Linear(config.hiddenSize(), config.vocabSize(), false, generator));
    }

    /** The logits [B, N, vocab] of the next token after each of the integer token {@code ids} [B, N], at positions 0..N-1. */
    public Tensor forward(Tensor ids) {
        if (ids.rank() != 2 || ids.dtype().isFloating() || ids.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("Transformer: ids must be integer token ids of shape [batch, tokens], got "
                    + ids.dtype() + " " + Shape.str(ids.shape()));
        }
        Tensor positions = Tensor.arange(ids.size(1)).to(ids.device());
        return lmHead.forward(model.forward(ids, positions));
    }

    /** The shape this model was built with. */
    public TransformerConfig config() {
        return config;
    }

    /** Everything but the output projection, named {@code model} as in Hugging Face checkpoints. */
    private static final class Body extends Module {
        private final Embedding embed;
        private final ModuleList layers;
        private final RMSNorm norm;

        Body(TransformerConfig c, Generator generator) {
            this.embed = register("embed_tokens", new Embedding(c.vocabSize(), c.hiddenSize(), generator));
            this.layers = register("layers", new ModuleList());
            for (int i = 0; i < c.numHiddenLayers(); i++) {
                layers.add(new DecoderBlock(c.hiddenSize(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(),
                        c.intermediateSize(), c.ropeTheta(), c.rmsNormEps(), generator));
            }
            this.norm = register("norm", new RMSNorm(c.hiddenSize(), c.rmsNormEps()));
        }

        Tensor forward(Tensor ids, Tensor positions) {
            Tensor h = embed.forward(ids);
            for (Module layer : layers) {
                h = ((DecoderBlock) layer).forward(h, positions);
            }
            return norm.forward(h);
        }
    }
}
