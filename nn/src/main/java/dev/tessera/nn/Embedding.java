package dev.tessera.nn;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;

/** A lookup table of {@code vocab} rows of {@code dim} features; the weight starts as N(0, 1), as in PyTorch. */
public final class Embedding extends Module {
    private final long vocab;
    private final long dim;
    private final Parameter weight;

    /** A table of shape [vocab, dim], drawn from {@code generator}. */
    public Embedding(long vocab, long dim, Generator generator) {
        if (vocab <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: vocab and dim must be positive, got vocab=" + vocab
                    + ", dim=" + dim);
        }
        this.vocab = vocab;
        this.dim = dim;
        this.weight = parameter("weight", Init.normal(generator, 1, vocab, dim));
    }

    /**
     * The rows that integer {@code ids} pick: shape ids.shape + [dim]. Inside an {@link Autocast}
     * scope they come in the compute dtype; only the picked rows are cast, not the whole table.
     */
    public Tensor forward(Tensor ids) {
        return Autocast.cast(Tensor.embedding(weight.value(), ids));
    }

    /** The table, shape [vocab, dim]. */
    public Parameter weight() {
        return weight;
    }

    @Override
    protected String describeSettings() {
        return "vocab=" + vocab + ", dim=" + dim;
    }
}
