package dev.tessera.nn;

import dev.tessera.nn.functional.F;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;

/**
 * y = x W^T + b, with W of shape [out, in] (PyTorch's and Hugging Face's layout) and an optional
 * b of shape [out]. Both start as PyTorch's default: U(-1/sqrt(in), 1/sqrt(in)), which for W is
 * Kaiming-uniform with a = sqrt(5).
 */
public final class Linear extends Module {
    private final long in;
    private final long out;
    private final Parameter weight;
    private final Parameter bias;

    /** A layer from {@code in} to {@code out} features, drawing its initial values from {@code generator}. */
    public Linear(long in, long out, boolean bias, Generator generator) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear: in and out must be positive, got in=" + in + ", out=" + out);
        }
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", Init.kaimingUniform(generator, Math.sqrt(5), out, in));
        this.bias = bias ? parameter("bias", Init.uniform(generator, 1 / Math.sqrt(in), out)) : null;
    }

    /**
     * Maps x of shape [..., in] to [..., out]. Inside an {@link Autocast} scope, x, the weight and
     * the bias are cast to the compute dtype first, and so is the result.
     */
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.size(x.rank() - 1) != in) {
            throw new IllegalArgumentException("Linear(in=" + in + ", out=" + out + "): input of shape "
                    + Shape.str(x.shape()) + " must have shape [..., " + in + "]");
        }
        return F.linear(Autocast.cast(x), Autocast.cast(weight.value()), bias == null ? null : Autocast.cast(bias.value()));
    }

    /** The weight, shape [out, in]. */
    public Parameter weight() {
        return weight;
    }

    /** The bias, shape [out], or null for a layer without one. */
    public Parameter bias() {
        return bias;
    }

    @Override
    protected String describeSettings() {
        return "in=" + in + ", out=" + out + ", bias=" + (bias != null);
    }
}
