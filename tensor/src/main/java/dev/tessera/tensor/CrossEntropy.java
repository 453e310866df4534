package dev.tessera.tensor;

import java.util.Arrays;

/**
 * The fused cross-entropy's front end: checks logits [..., C] and class ids [...], hands the
 * backend the logits as rows [N, C] and the ids as [N] (views where the layout allows, else
 * copies, never recorded: the op records itself on the caller's tensors), and records the
 * forward with outputs (loss, lse) so that autograd can run the gradient kernel.
 */
final class CrossEntropy {
    private static final String FORWARD = Op.CROSS_ENTROPY.opName();
    private static final String BACKWARD = Op.CROSS_ENTROPY_BACKWARD.opName();

    private CrossEntropy() {}

    static Tensor forward(Tensor logits, Tensor targets, long ignoreIndex) {
        Tensor ids = checkedTargets(FORWARD, logits, targets, ignoreIndex);
        DType stats = statsType(logits);
        Tensor loss = logits.emptyLike(stats, targets.shape());
        Tensor lse = logits.emptyLike(stats, targets.shape());
        logits.device().backend().crossEntropy(rows(logits), flat(ids), ignoreIndex, flat(loss), flat(lse));
        Recording.record(Op.CROSS_ENTROPY, new OpArgs.CrossEntropy(ignoreIndex), new Tensor[] {logits, ids}, loss, lse);
        return loss;
    }

    static Tensor backward(Tensor gradLoss, Tensor logits, Tensor targets, Tensor lse, long ignoreIndex) {
        Tensor ids = checkedTargets(BACKWARD, logits, targets, ignoreIndex);
        DType stats = statsType(logits);
        checkPerRow(gradLoss, "gradLoss", stats, targets);
        checkPerRow(lse, "lse", stats, targets);
        Checks.sameDevice(BACKWARD, logits, gradLoss, lse);
        Tensor gradLogits = logits.emptyLike(logits.dtype(), logits.shape());
        logits.device().backend().crossEntropyBackward(flat(gradLoss), rows(logits), flat(ids), flat(lse), ignoreIndex,
                rows(gradLogits));
        return gradLogits;
    }

    /** F64 for F64 logits, F32 for the others: the dtype of loss and lse. */
    private static DType statsType(Tensor logits) {
        return logits.dtype() == DType.F64 ? DType.F64 : DType.F32;
    }

    /**
     * Checks logits and targets and returns the targets as I64; every target must lie in [0, C) or
     * equal ignoreIndex. The range is checked with tensor ops on the targets' device (N elements,
     * small next to the N x C the kernel reads), so no kernel ever meets a bad class id.
     */
    private static Tensor checkedTargets(String op, Tensor logits, Tensor targets, long ignoreIndex) {
        if (!logits.dtype().isFloating() || logits.rank() == 0) {
            throw new IllegalArgumentException(op + ": logits must be floating of shape [..., C], got "
                    + logits.dtype() + " " + Shape.str(logits.shape()));
        }
        if (targets.dtype() != DType.I64 && targets.dtype() != DType.I32) {
            throw new IllegalArgumentException(op + ": targets must be I64 or I32 class ids, got "
                    + targets.dtype() + " " + Shape.str(targets.shape()));
        }
        int classDim = logits.rank() - 1;
        if (!Arrays.equals(targets.shape(), Arrays.copyOf(logits.shape(), classDim))) {
            throw new IllegalArgumentException(op + ": targets of shape " + Shape.str(targets.shape())
                    + " must have the shape of logits " + Shape.str(logits.shape()) + " without its last dim");
        }
        Checks.sameDevice(op, logits, targets);
        Tensor ids = targets.to(DType.I64);
        checkRange(op, ids, logits.shape()[classDim], ignoreIndex);
        return ids;
    }

    private static void checkRange(String op, Tensor ids, long classes, long ignoreIndex) {
        if (ids.numel() == 0) {
            return;
        }
        Tensor ignored = ids.eq(ignoreIndex);
        if (classes == 0) {
            long counted = ignored.eq(0).sum().toLongArray()[0];
            if (counted > 0) {
                throw new IllegalArgumentException(op + ": logits have no classes (C = 0), so every target must equal"
                        + " ignore_index " + ignoreIndex + ", got " + counted + " that do not");
            }
            return;
        }
        // Ignored slots take class 0, which is in range, so that only counted targets decide.
        Tensor classIds = ids.maskedFill(ignored, 0);
        long lowest = classIds.min().toLongArray()[0];
        long highest = classIds.max().toLongArray()[0];
        if (lowest < 0 || highest >= classes) {
            throw new IllegalArgumentException(op + ": targets must lie in [0, " + classes
                    + ") or equal ignore_index " + ignoreIndex + ", got values from " + lowest + " to " + highest);
        }
    }

    private static void checkPerRow(Tensor t, String name, DType stats, Tensor targets) {
        if (t.dtype() != stats || !Arrays.equals(t.shape(), targets.shape())) {
            throw new IllegalArgumentException(BACKWARD + ": " + name + " must be " + stats + " of the targets' shape "
                    + Shape.str(targets.shape()) + ", got " + t.dtype() + " " + Shape.str(t.shape()));
        }
    }

    /** Logits [..., C] as rows [N, C]. */
    private static Tensor rows(Tensor logits) {
        long[] shape = logits.shape();
        int classDim = shape.length - 1;
        return unrecordedReshape(logits, Shape.numel(Arrays.copyOf(shape, classDim)), shape[classDim]);
    }

    /** A per-row tensor [...] as [N]. */
    private static Tensor flat(Tensor t) {
        return unrecordedReshape(t, t.numel());
    }

    /** t seen as {@code shape} without recording: a view when the layout allows one, else a contiguous copy. */
    private static Tensor unrecordedReshape(Tensor t, long... shape) {
        long[] strides = Views.viewStrides(t.shape(), t.strides(), shape);
        if (strides != null) {
            return new Tensor(t.storage(), t.dtype(), shape, strides, t.offset(), t.device());
        }
        Tensor copy = t.emptyLike(t.dtype(), t.shape());
        t.device().backend().copy(t, copy);
        return unrecordedReshape(copy, shape);
    }
}
