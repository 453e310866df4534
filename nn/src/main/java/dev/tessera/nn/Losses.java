package dev.tessera.nn;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;

/**
 * Loss functions, as {@code torch.nn.functional}. Each is composed of differentiable tensor ops
 * (log-softmax, gather, masked fill, reductions), so autograd derives the gradient; a fused
 * cross-entropy kernel with its own derivative rule is planned and will replace the composition.
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
     * widened to F32 first, so the softmax and the loss are F32 (the gradient returns in the
     * logits' dtype); F32 and F64 logits keep their dtype.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, Reduction reduction) {
        if (!logits.dtype().isFloating() || logits.rank() == 0) {
            throw new IllegalArgumentException("cross_entropy: logits must be floating of shape [..., C], got "
                    + logits.dtype() + " " + Shape.str(logits.shape()));
        }
        if (targets.dtype() != DType.I64 && targets.dtype() != DType.I32) {
            throw new IllegalArgumentException("cross_entropy: targets must be I64 or I32 class ids, got "
                    + targets.dtype() + " " + Shape.str(targets.shape()));
        }
        int classDim = logits.rank() - 1;
        long classes = logits.size(classDim);
        if (!Arrays.equals(targets.shape(), Arrays.copyOf(logits.shape(), classDim))) {
            throw new IllegalArgumentException("cross_entropy: targets of shape " + Shape.str(targets.shape())
                    + " must have the shape of logits " + Shape.str(logits.shape()) + " without its last dim");
        }
        Tensor ignored = targets.eq(ignoreIndex);
        // Ignored slots pick class 0, whose value is then masked out.
        Tensor classIds = targets.maskedFill(ignored, 0);
        checkRange(classIds, classes, ignoreIndex);
        Tensor picked = wide(logits).logSoftmax(classDim).gather(classDim, classIds.unsqueeze(classDim)).squeeze(classDim);
        Tensor losses = picked.neg().maskedFill(ignored, 0);
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

    /** Half-precision logits as F32: a softmax and a loss summed in BF16 or F16 lose too many digits. */
    private static Tensor wide(Tensor logits) {
        return logits.dtype() == DType.BF16 || logits.dtype() == DType.F16 ? logits.to(DType.F32) : logits;
    }

    private static void checkRange(Tensor classIds, long classes, int ignoreIndex) {
        if (classIds.numel() == 0) {
            return;
        }
        long lowest = classIds.min().toLongArray()[0];
        long highest = classIds.max().toLongArray()[0];
        if (lowest < 0 || highest >= classes) {
            throw new IllegalArgumentException("cross_entropy: targets must lie in [0, " + classes
                    + ") or equal ignore_index " + ignoreIndex + ", got values from " + lowest + " to " + highest);
        }
    }
}
