package dev.tessera.tests.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.tensor.Backend;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * A quick cross-check of every cpu op against the reference backend on a few random strided
 * inputs (transposed, sliced, broadcast) and a few dtypes. The broad property suite lives
 * elsewhere; this one catches a wrong kernel early. Tolerance: 2e-5 relative plus 1e-6 absolute
 * for float results, exact for integers, BOOL and indices.
 */
class CpuVsReferenceTest {
    private static final Backend REF = Device.reference().backend();
    private final Generator g = new Generator(11);

    /** A [5, 37] view with interesting strides: transposed, or every other column of a wider tensor, or broadcast rows. */
    private Tensor[] views(double scale, double shift) {
        Tensor t = affine(Tensor.randn(g, 37, 5), scale, shift).t();
        Tensor s = affine(Tensor.randn(g, 5, 74), scale, shift).slice(1, 0, 74, 2);
        Tensor b = affine(Tensor.randn(g, 1, 37), scale, shift).expand(5, 37);
        return new Tensor[] {t, s, b};
    }

    private static Tensor affine(Tensor x, double scale, double shift) {
        float[] v = x.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] * scale + shift);
        }
        return Tensor.of(v, x.shape());
    }

    /** Runs the same op on both backends into fresh outputs of the given type and shape and compares. */
    private static void same(String what, DType type, long[] shape, BiConsumer<Backend, Tensor> op) {
        Tensor want = Tensor.empty(type, Device.cpu(), shape);
        Tensor got = Tensor.empty(type, Device.cpu(), shape);
        op.accept(REF, want);
        op.accept(Cpu.CPU, got);
        double[] w = want.toDoubleArray();
        double[] o = got.toDoubleArray();
        for (int i = 0; i < w.length; i++) {
            double tol = type.isFloating() ? 2e-5 * Math.abs(w[i]) + 1e-6 : 0;
            if (type == DType.BF16 || type == DType.F16) {
                tol = 1e-2 * Math.abs(w[i]) + 1e-3;
            }
            if (Double.isNaN(w[i])) {
                assertEquals(w[i], o[i], what + " at " + i);
            } else {
                assertEquals(w[i], o[i], tol, what + " at " + i);
            }
        }
    }

    @Test
    void unary() {
        for (Op op : Op.values()) {
            if (op.group() != Op.Group.UNARY) {
                continue;
            }
            boolean positive = op == Op.LOG || op == Op.SQRT || op == Op.RSQRT;
            for (Tensor x : views(positive ? 1 : 3, positive ? 4 : 0)) {
                same(op.opName(), DType.F32, x.shape(), (b, out) -> b.unary(op, x, out));
                Tensor d = x.to(DType.F64);
                same(op.opName() + " f64", DType.F64, x.shape(), (b, out) -> b.unary(op, d, out));
            }
        }
        Tensor i = Tensor.randint(g, -50, 50, 7, 9).t();
        for (Op op : new Op[] {Op.NEG, Op.ABS, Op.RELU, Op.SQUARE}) {
            same(op.opName() + " i64", DType.I64, i.shape(), (b, out) -> b.unary(op, i, out));
        }
    }

    @Test
    void binaryAndComparisons() {
        for (Op op : Op.values()) {
            boolean comparison = op.group() == Op.Group.COMPARISON;
            if (op.group() != Op.Group.BINARY && !comparison) {
                continue;
            }
            Tensor[] v = views(2, op == Op.POW ? 3 : 0);
            for (int k = 0; k < v.length; k++) {
                Tensor x = v[k];
                Tensor y = v[(k + 1) % v.length];
                same(op.opName(), comparison ? DType.BOOL : DType.F32, x.shape(), (b, out) -> b.binary(op, x, y, out));
                Tensor hx = x.to(DType.BF16);
                Tensor hy = y.to(DType.BF16);
                same(op.opName() + " bf16", comparison ? DType.BOOL : DType.BF16, x.shape(), (b, out) -> b.binary(op, hx, hy, out));
            }
            if (op != Op.DIV && op != Op.POW) {
                Tensor a = Tensor.randint(g, -9, 9, 6, 4).t();
                Tensor c = Tensor.randint(g, -9, 9, 4, 1).expand(4, 6);
                same(op.opName() + " i64", comparison ? DType.BOOL : DType.I64, a.shape(), (b, out) -> b.binary(op, a, c, out));
            }
        }
    }

    @Test
    void whereAndClamp() {
        Tensor[] v = views(2, 0);
        Tensor cond = Tensor.randint(g, 0, 2, 37, 5).t().to(DType.BOOL);
        same("where", DType.F32, v[0].shape(), (b, out) -> b.where(cond, v[0], v[1], out));
        same("where i64", DType.I64, v[0].shape(), (b, out) -> b.where(cond, v[1].to(DType.I64), v[2].to(DType.I64), out));
        for (Tensor x : v) {
            same("clamp", DType.F32, x.shape(), (b, out) -> b.clamp(x, -0.5, 1.25, out));
        }
    }

    @Test
    void reductions() {
        Tensor x = Tensor.randn(g, 6, 7, 40).permute(2, 0, 1); // [40, 6, 7], permuted layout
        int[][] dimSets = {{0}, {1}, {2}, {0, 1}, {0, 2}, {1, 2}, {0, 1, 2}};
        for (Op op : new Op[] {Op.SUM, Op.MAX, Op.MIN, Op.LOGSUMEXP}) {
            for (int[] dims : dimSets) {
                long[] shape = x.shape();
                for (int d : dims) {
                    shape[d] = 1;
                }
                String what = op.opName() + " over " + java.util.Arrays.toString(dims);
                same(what, DType.F32, shape, (b, out) -> b.reduce(op, x, out));
                Tensor d = x.to(DType.F64);
                same(what + " f64", DType.F64, shape, (b, out) -> b.reduce(op, d, out));
                if (op == Op.SUM) {
                    Tensor i = x.to(DType.I32);
                    same(what + " i32", DType.I64, shape, (b, out) -> b.reduce(op, i, out));
                }
            }
        }
        for (Op op : new Op[] {Op.ARGMAX, Op.ARGMIN}) {
            for (int dim = 0; dim < 3; dim++) {
                long[] shape = x.shape();
                shape[dim] = 1;
                int d = dim;
                same(op.opName() + " dim " + dim, DType.I64, shape, (b, out) -> b.argReduce(op, x, d, out));
            }
        }
    }

    @Test
    void rowOpsAndTopk() {
        Tensor x = Tensor.randn(g, 6, 7, 40).permute(2, 0, 1);
        for (int dim = 0; dim < 3; dim++) {
            int d = dim;
            for (Op op : new Op[] {Op.SOFTMAX, Op.LOG_SOFTMAX}) {
                same(op.opName() + " dim " + dim, DType.F32, x.shape(), (b, out) -> b.softmax(op, x, d, out));
            }
            same("cumsum dim " + dim, DType.F32, x.shape(), (b, out) -> b.cumsum(x, d, out));
            Tensor i = Tensor.randint(g, -5, 5, 40, 6, 7);
            same("cumsum i64 dim " + dim, DType.I64, i.shape(), (b, out) -> b.cumsum(i, d, out));
            for (boolean largest : new boolean[] {true, false}) {
                long[] shape = x.shape();
                shape[dim] = 3;
                Tensor refIdx = Tensor.empty(DType.I64, Device.cpu(), shape);
                Tensor cpuIdx = Tensor.empty(DType.I64, Device.cpu(), shape);
                same("topk values dim " + dim, DType.F32, shape, (b, out) -> b.topk(x, d, 3, largest, out, b == REF ? refIdx : cpuIdx));
                assertEquals(java.util.Arrays.toString(refIdx.toLongArray()), java.util.Arrays.toString(cpuIdx.toLongArray()));
            }
        }
    }

    @Test
    void indexing() {
        Tensor x = Tensor.randn(g, 9, 8).t(); // [8, 9]
        Tensor idx = Tensor.randint(g, 0, 8, 5, 9);
        same("gather dim 0", DType.F32, idx.shape(), (b, out) -> b.gather(x, 0, idx, out));
        Tensor idx1 = Tensor.randint(g, 0, 9, 8, 4).to(DType.I32);
        same("gather dim 1", DType.F32, idx1.shape(), (b, out) -> b.gather(x, 1, idx1, out));
        Tensor src = Tensor.randn(g, 8, 4);
        Tensor base = Tensor.randn(g, 8, 9);
        same("scatter_add", DType.F32, base.shape(), (b, out) -> {
            Cpu.CPU.copy(base, out);
            b.scatterAdd(src, 1, idx1, out);
        });
        Tensor rows = Tensor.randint(g, 0, 8, 11);
        same("index_select", DType.F32, new long[] {11, 9}, (b, out) -> b.indexSelect(x, 0, rows, out));
        same("index_select dim 1", DType.F32, new long[] {8, 11}, (b, out) -> b.indexSelect(x, 1, rows, out));
        Tensor add = Tensor.randn(g, 9, 11).t(); // [11, 9]
        same("index_add", DType.F32, new long[] {8, 9}, (b, out) -> {
            Cpu.CPU.copy(base, out);
            b.indexAdd(add, 0, rows, out);
        });
    }
}
