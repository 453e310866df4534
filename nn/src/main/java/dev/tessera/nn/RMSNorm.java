package dev.tessera.nn;

import dev.tessera.nn.functional.F;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;

/**
 * RMSNorm over the last dim, {@code y = weight * x / sqrt(mean(x^2) + eps)}, on the fused kernel
 * ({@link F#rmsNorm}). One parameter, {@code weight} [dim], starting at ones, as in Hugging Face
 * checkpoints ({@code model.layers.0.input_layernorm.weight}). An input of another dtype than the
 * weight (a BF16 activation with an F32 master weight) gets the weight cast to its dtype; the cast
 * is recorded, so the gradient still reaches the master weight in its own dtype.
 */
public final class RMSNorm extends Module {
    private final long dim;
    private final double eps;
    private final Parameter weight;

    /** A norm over a last dim of size {@code dim}, adding {@code eps} (DeepSeek: 1e-6) to the mean square. */
    public RMSNorm(long dim, double eps) {
        if (dim <= 0 || !(eps >= 0 && eps < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("RMSNorm: dim must be positive and eps finite and >= 0, got dim=" + dim
                    + ", eps=" + eps);
        }
        this.dim = dim;
        this.eps = eps;
        this.weight = parameter("weight", Tensor.ones(dim));
    }

    /** Normalises x of shape [..., dim] (any floating dtype) into the same shape and dtype. */
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.size(x.rank() - 1) != dim) {
            throw new IllegalArgumentException("RMSNorm(dim=" + dim + "): input of shape " + Shape.str(x.shape())
                    + " must have shape [..., " + dim + "]");
        }
        Tensor w = weight.value();
        return F.rmsNorm(x, w.dtype() == x.dtype() ? w : w.to(x.dtype()), eps);
    }

    /** The scale, shape [dim]. */
    public Parameter weight() {
        return weight;
    }

    @Override
    protected String describeSettings() {
        return "dim=" + dim + ", eps=" + eps;
    }
}
