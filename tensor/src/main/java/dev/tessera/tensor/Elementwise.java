package dev.tessera.tensor;

import java.util.Set;

/** Elementwise ops: check arguments, broadcast, allocate the output, call the backend. */
final class Elementwise {
    /** Unary ops that keep integer dtypes (the others need floats). */
    private static final Set<Op> INTEGER_UNARY = Set.of(Op.NEG, Op.ABS, Op.SQUARE, Op.RELU);
    /** Binary ops defined on integers too (DIV and POW need floats). */
    private static final Set<Op> INTEGER_BINARY = Set.of(Op.ADD, Op.SUB, Op.MUL, Op.MAXIMUM, Op.MINIMUM);

    private Elementwise() {}

    static Tensor unary(Op op, Tensor x) {
        if (INTEGER_UNARY.contains(op)) {
            Checks.numeric(op.opName(), x);
        } else {
            Checks.floating(op.opName(), x);
        }
        Tensor out = x.emptyLike(x.dtype(), x.shape());
        x.device().backend().unary(op, x, out);
        return Recording.record(op, OpArgs.NONE, out, x);
    }

    static Tensor binary(Op op, Tensor a, Tensor b) {
        String name = op.opName();
        Checks.sameDevice(name, a, b);
        Checks.sameDtype(name, a, b);
        if (op.group() == Op.Group.BINARY) {
            if (INTEGER_BINARY.contains(op)) {
                Checks.numeric(name, a);
            } else {
                Checks.floating(name, a);
            }
        }
        long[] shape = Shape.broadcast(name, a.shape(), b.shape());
        Tensor out = a.emptyLike(op.group() == Op.Group.COMPARISON ? DType.BOOL : a.dtype(), shape);
        Tensor left = a.expand(shape);
        Tensor right = b.expand(shape);
        a.device().backend().binary(op, left, right, out);
        return Recording.record(op, OpArgs.NONE, out, left, right);
    }

    /** A 0-d tensor holding {@code value}, of x's dtype and device, to combine with x. */
    static Tensor scalarLike(Tensor x, double value) {
        // Filled where it lives: on a device that is a kernel launch, where a copy from the host would wait.
        Tensor s = Tensor.empty(x.dtype(), x.device());
        x.device().backend().fill(s, value);
        return s;
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Checks.sameDevice("where", cond, a, b);
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: the condition must be BOOL, got " + cond.dtype() + " of shape "
                    + Shape.str(cond.shape()));
        }
        Checks.sameDtype("where", a, b);
        long[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        Tensor out = a.emptyLike(a.dtype(), shape);
        Tensor mask = cond.expand(shape);
        Tensor ifTrue = a.expand(shape);
        Tensor ifFalse = b.expand(shape);
        a.device().backend().where(mask, ifTrue, ifFalse, out);
        return Recording.record(Op.WHERE, OpArgs.NONE, out, mask, ifTrue, ifFalse);
    }

    static Tensor clamp(Tensor x, double lo, double hi) {
        Checks.numeric("clamp", x);
        if (lo > hi) {
            throw new IllegalArgumentException("clamp: min " + lo + " is greater than max " + hi);
        }
        Tensor out = x.emptyLike(x.dtype(), x.shape());
        x.device().backend().clamp(x, lo, hi, out);
        return Recording.record(Op.CLAMP, new OpArgs.Clamp(lo, hi), out, x);
    }

    /** {@code where(mask, value, x)}: x with {@code value} wherever the BOOL mask is true. */
    static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        Checks.sameDevice("masked_fill", x, mask);
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("masked_fill: the mask must be BOOL, got " + mask.dtype() + " of shape "
                    + Shape.str(mask.shape()));
        }
        long[] shape = Shape.broadcast("masked_fill", x.shape(), mask.shape());
        if (!java.util.Arrays.equals(shape, x.shape())) {
            throw new IllegalArgumentException("masked_fill: mask of shape " + Shape.str(mask.shape())
                    + " does not broadcast to the tensor's shape " + Shape.str(x.shape()));
        }
        return where(mask, scalarLike(x, value), x);
    }
}
