package dev.tessera.nn;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;

/**
 * Loss functions, as {@code torch.nn.functional}. Cross-entropy runs on the fused kernel
 * {@link Fused#crossEntropy} (each row read once, no [N, C] log-softmax kept, its own
 * gradient kernel); the reductions and mse are composed of differentiable tensor ops.
 */
public final class Losses {
    private Losses() {}

    /** How a loss reduces its per-element values. */
    public enum Reduction {
        /** The mean (for cross-entropy: over the targets that are not ignored). */
        MEAN,
        /** The sum. */
        SUM,
        /** No reduction: one loss per element (0 where a target is ignored). */
        NONE
    }

    /** PyTorch's default ignore_index. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    /** {@link #crossEntropy(Tensor, Tensor, int, Reduction)} with PyTorch's defaults: ignore_index -100, mean. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return crossEntropy(logits, targets, DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    /**
     * Cross-entropy of floating {@code logits} [..., C] against integer (I64 or I32) class ids
     * {@code targets} [...]: per element {@code -log_softmax(logits)[target]}. Targets equal to
     * {@code ignoreIndex} contribute 0 and are left out of the mean; as in PyTorch the mean of
     * no valid target is NaN. Every other target must lie in [0, C). BF16 and F16 logits are
     * read as F32, so the softmax and the loss are F32 (the gradient returns in the logits'
     * dtype); F32 and F64 logits keep their dtype.
     *
     * @throws IllegalArgumentException for non-floating or 0-d logits, targets that are not I64
     *     or I32, a targets shape other than logits' without its last dim, or a target outside
     *     [0, C) that is not ignoreIndex (see {@link Fused#crossEntropy})
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, Reduction reduction) {
        Tensor losses = Fused.crossEntropy(logits, targets, ignoreIndex);
        return switch (reduction) {
            case NONE -> losses;
            case SUM -> losses.sum();
            case MEAN -> losses.sum().div(targets.ne(ignoreIndex).sum().to(losses.dtype()));
        };
    }

    /**
     * Mean squared error of {@code pred} against {@code target}: same shape, same floating dtype
     * once BF16 and F16 are widened to F32, so the loss is summed in F32 and a BF16 prediction
     * (from an {@link Autocast} scope) meets an F32 target.
     */
    public static Tensor mse(Tensor pred, Tensor target, Reduction reduction) {
        Tensor widePred = wide(pred);
        Tensor wideTarget = wide(target);
        if (!pred.dtype().isFloating() || widePred.dtype() != wideTarget.dtype()
                || !Arrays.equals(pred.shape(), target.shape())) {
            throw new IllegalArgumentException("mse: pred " + pred.dtype() + " " + Shape.str(pred.shape())
                    + " and target " + target.dtype() + " " + Shape.str(target.shape())
                    + " must have the same shape and the same floating dtype (BF16 and F16 count as F32)");
        }
        Tensor squares = widePred.sub(wideTarget).square();
        return switch (reduction) {
            case NONE -> squares;
            case SUM -> squares.sum();
            case MEAN -> squares.mean();
        };
    }

    /** Half precision as F32: a loss summed in BF16 or F16 loses too many digits. */
    private static Tensor wide(Tensor t) {
        return t.dtype() == DType.BF16 || t.dtype() == DType.F16 ? t.to(DType.F32) : t;
    }
}
