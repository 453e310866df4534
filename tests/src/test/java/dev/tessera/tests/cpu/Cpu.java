package dev.tessera.tests.cpu;

import dev.tessera.tensor.Backend;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;

/** Calls into the cpu backend directly (outputs allocated here, as the front end would). */
final class Cpu {
    static final Backend CPU = Device.cpu().backend();

    private Cpu() {}

    static Tensor empty(DType type, long... shape) {
        return Tensor.empty(type, Device.cpu(), shape);
    }

    static Tensor unary(Op op, Tensor x) {
        Tensor out = empty(x.dtype(), x.shape());
        CPU.unary(op, x, out);
        return out;
    }

    static Tensor binary(Op op, Tensor a, Tensor b) {
        Tensor out = empty(op.group() == Op.Group.COMPARISON ? DType.BOOL : a.dtype(), a.shape());
        CPU.binary(op, a, b, out);
        return out;
    }

    /** Reduces over {@code dims} into the keepdim shape; SUM of integers or BOOL goes into I64. */
    static Tensor reduce(Op op, Tensor x, int... dims) {
        long[] shape = x.shape();
        for (int d : dims) {
            shape[d] = 1;
        }
        DType type = op == Op.SUM && !x.dtype().isFloating() ? DType.I64 : x.dtype();
        Tensor out = empty(type, shape);
        CPU.reduce(op, x, out);
        return out;
    }

    /** {@code n} floats 1, 2, 3, ... as an F32 tensor of the given shape. */
    static Tensor iota(long... shape) {
        int n = (int) dev.tessera.tensor.Shape.numel(shape);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i + 1;
        }
        return Tensor.of(v, shape);
    }

    /** Element bits of a float array, for exact comparisons that treat NaN as equal to itself. */
    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToIntBits(v[i]);
        }
        return b;
    }
}
