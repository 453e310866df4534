package dev.tessera.nn;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;

/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors are
 * scaled by 1 / (1 - p), so the expectation is unchanged; in evaluation, or with p = 0, the input
 * passes through. The masks come from the given {@link Generator}, so a seed fixes them.
 */
public final class Dropout extends Module {
    private final double p;
    private final Generator generator;

    /** Dropout with probability {@code p} in [0, 1), masks drawn from {@code generator}. */
    public Dropout(double p, Generator generator) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: p must lie in [0, 1), got " + p);
        }
        this.p = p;
        this.generator = generator;
    }

    /** x with each element dropped (training only); same shape and dtype. */
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        Tensor dropped = Tensor.rand(generator, x.device(), x.shape()).lt(p);
        return x.maskedFill(dropped, 0).mul(1 / (1 - p));
    }

    @Override
    protected String describeSettings() {
        return "p=" + p;
    }
}
