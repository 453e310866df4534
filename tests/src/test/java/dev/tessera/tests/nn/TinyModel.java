package dev.tessera.tests.nn;

import dev.tessera.nn.Embedding;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ModuleList;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;

/** A small Llama-shaped model for the module tests: embed, layers of attention-like blocks, a head without bias. */
final class TinyModel extends Module {
    static final long VOCAB = 11;
    static final long DIM = 4;

    final Embedding embed;
    final ModuleList layers;
    final Linear head;

    TinyModel(int layerCount, Generator generator) {
        embed = register("embed_tokens", new Embedding(VOCAB, DIM, generator));
        layers = register("layers", new ModuleList());
        for (int i = 0; i < layerCount; i++) {
            layers.add(new Block(generator));
        }
        head = register("lm_head", new Linear(DIM, VOCAB, false, generator));
    }

    Tensor forward(Tensor ids) {
        Tensor h = embed.forward(ids);
        for (Module layer : layers) {
            h = ((Block) layer).forward(h);
        }
        return head.forward(h);
    }

    /** One residual block with a nested child, so names have three levels below the list. */
    static final class Block extends Module {
        final Attention attn;

        Block(Generator generator) {
            attn = register("attn", new Attention(generator));
        }

        Tensor forward(Tensor x) {
            return x.add(attn.forward(x));
        }
    }

    static final class Attention extends Module {
        final Linear qProj;
        final Linear oProj;

        Attention(Generator generator) {
            qProj = register("q_proj", new Linear(DIM, DIM, true, generator));
            oProj = register("o_proj", new Linear(DIM, DIM, false, generator));
        }

        Tensor forward(Tensor x) {
            return oProj.forward(qProj.forward(x).tanh());
        }
    }
}
