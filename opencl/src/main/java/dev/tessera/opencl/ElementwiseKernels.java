package dev.tessera.opencl;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** fill, device copies and casts, unary and binary ops, comparisons, where and clamp (elementwise.cl). */
final class ElementwiseKernels {
    private static final String FAMILY = "elementwise";
    private final ClRuntime runtime;
    /** One int the integer division kernel sets when it meets a zero divisor. */
    private final ClBuffer errorFlag;

    ElementwiseKernels(ClRuntime runtime) {
        this.runtime = runtime;
        this.errorFlag = runtime.pool.allocate(4, true);
    }

    void fill(Tensor out, double value) {
        KernelLayout l = KernelLayout.of(out.shape(), out);
        if (l.numel() == 0) {
            return;
        }
        launch(ClTypes.operand("OUT", out.dtype()), "fill")
                .buffer(out).struct(l.view(0)).struct(l.shape()).f64(value)
                .run1d(Grid.items(l.numel()), Grid.GROUP);
    }

    /** {@code out = x} with a cast where the dtypes differ; both on this device. */
    void copy(Tensor x, Tensor out) {
        KernelLayout l = KernelLayout.of(out.shape(), x, out);
        if (l.numel() == 0) {
            return;
        }
        launch(ClTypes.operand("X", x.dtype()) + ClTypes.operand("OUT", out.dtype()), "copy")
                .buffer(x).struct(l.view(0)).buffer(out).struct(l.view(1)).struct(l.shape())
                .run1d(Grid.items(l.numel()), Grid.GROUP);
    }

    void unary(Op op, Tensor x, Tensor out) {
        KernelLayout l = KernelLayout.of(out.shape(), x, out);
        if (l.numel() == 0) {
            return;
        }
        launch(ClTypes.operand("X", x.dtype()), "unary")
                .buffer(x).struct(l.view(0)).buffer(out).struct(l.view(1)).struct(l.shape()).i32(unaryCode(op))
                .run1d(Grid.items(l.numel()), Grid.GROUP);
    }

    void binary(Op op, Tensor a, Tensor b, Tensor out) {
        KernelLayout l = KernelLayout.of(out.shape(), a, b, out);
        if (l.numel() == 0) {
            return;
        }
        String options = ClTypes.operand("A", a.dtype());
        if (op.group() == Op.Group.COMPARISON) {
            launch(options, "compare")
                    .buffer(a).struct(l.view(0)).buffer(b).struct(l.view(1)).buffer(out).struct(l.view(2))
                    .struct(l.shape()).i32(comparisonCode(op))
                    .run1d(Grid.items(l.numel()), Grid.GROUP);
            return;
        }
        boolean checked = op == Op.DIV && !a.dtype().isFloating();
        if (checked) {
            runtime.write(errorFlag.handle(), 0, zeroInt(), 4);
        }
        launch(options, "binary")
                .buffer(a).struct(l.view(0)).buffer(b).struct(l.view(1)).buffer(out).struct(l.view(2))
                .struct(l.shape()).i32(binaryCode(op)).buffer(errorFlag)
                .run1d(Grid.items(l.numel()), Grid.GROUP);
        if (checked && readInt(errorFlag) != 0) {
            throw new ArithmeticException("div: integer division by zero");
        }
    }

    void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        KernelLayout l = KernelLayout.of(out.shape(), cond, a, b, out);
        if (l.numel() == 0) {
            return;
        }
        launch(ClTypes.operand("A", a.dtype()), "pick")
                .buffer(cond).struct(l.view(0)).buffer(a).struct(l.view(1)).buffer(b).struct(l.view(2))
                .buffer(out).struct(l.view(3)).struct(l.shape())
                .run1d(Grid.items(l.numel()), Grid.GROUP);
    }

    void clamp(Tensor x, double lo, double hi, Tensor out) {
        KernelLayout l = KernelLayout.of(out.shape(), x, out);
        if (l.numel() == 0) {
            return;
        }
        // The casts saturate, so infinite bounds stay unbounding (as in the reference).
        long loInteger = (long) Math.ceil(lo);
        long hiInteger = (long) Math.floor(hi);
        launch(ClTypes.operand("A", x.dtype()), "clamp_values")
                .buffer(x).struct(l.view(0)).buffer(out).struct(l.view(1)).struct(l.shape())
                .f64(lo).f64(hi).i64(loInteger).i64(hiInteger)
                .run1d(Grid.items(l.numel()), Grid.GROUP);
    }

    private Launch launch(String options, String kernel) {
        return new Launch(runtime, FAMILY, options, kernel);
    }

    private static MemorySegment zeroInt() {
        return Arena.ofAuto().allocate(ValueLayout.JAVA_INT);
    }

    private int readInt(ClBuffer buffer) {
        MemorySegment host = Arena.ofAuto().allocate(ValueLayout.JAVA_INT);
        runtime.read(buffer.handle(), 0, host, 4);
        return host.get(ValueLayout.JAVA_INT, 0);
    }

    /** The op codes of elementwise.cl (U_*, B_*, C_*). */
    private static int unaryCode(Op op) {
        return switch (op) {
            case NEG -> 0;
            case ABS -> 1;
            case EXP -> 2;
            case LOG -> 3;
            case SQRT -> 4;
            case RSQRT -> 5;
            case SIN -> 6;
            case COS -> 7;
            case TANH -> 8;
            case SIGMOID -> 9;
            case RELU -> 10;
            case SILU -> 11;
            case GELU_TANH -> 12;
            case GELU_ERF -> 13;
            case RECIPROCAL -> 14;
            case SQUARE -> 15;
            default -> throw new IllegalArgumentException(op.opName() + ": not a unary op");
        };
    }

    private static int binaryCode(Op op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case POW -> 4;
            case MAXIMUM -> 5;
            case MINIMUM -> 6;
            default -> throw new IllegalArgumentException(op.opName() + ": not a binary op");
        };
    }

    private static int comparisonCode(Op op) {
        return switch (op) {
            case EQ -> 0;
            case NE -> 1;
            case LT -> 2;
            case LE -> 3;
            case GT -> 4;
            case GE -> 5;
            default -> throw new IllegalArgumentException(op.opName() + ": not a comparison");
        };
    }
}
