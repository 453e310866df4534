package dev.tessera.tests.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ElementwiseTest {
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    private static float apply(Op op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case POW -> (float) Math.pow(a, b);
            default -> throw new AssertionError(op);
        };
    }

    @Test
    void binaryOpsOnEveryLengthAcrossTheVectorWidth() {
        Generator g = new Generator(1);
        for (int n = 0; n <= 67; n++) {
            Tensor a = Tensor.randn(g, n);
            Tensor b = Tensor.rand(g, n);
            float[] av = a.toFloatArray();
            float[] bv = b.toFloatArray();
            for (Op op : new Op[] {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MAXIMUM, Op.MINIMUM, Op.POW}) {
                float[] got = Cpu.binary(op, a, b).toFloatArray();
                float[] want = new float[n];
                for (int i = 0; i < n; i++) {
                    want[i] = apply(op, av[i], bv[i]);
                }
                assertArrayEquals(Cpu.bits(want), Cpu.bits(got), op + " n=" + n);
            }
        }
    }

    @Test
    void nanPropagatesThroughMaximumMinimumAndComparisonsAreFalseExceptNe() {
        float[] a = {NAN, 1, NAN, 2, -0f, INF};
        float[] b = {1, NAN, NAN, 2, 0f, INF};
        Tensor ta = Tensor.of(repeat(a, 5));
        Tensor tb = Tensor.of(repeat(b, 5));
        float[] max = Cpu.binary(Op.MAXIMUM, ta, tb).toFloatArray();
        float[] min = Cpu.binary(Op.MINIMUM, ta, tb).toFloatArray();
        for (int i = 0; i < max.length; i++) {
            assertEquals(Math.max(a[i % 6], b[i % 6]), max[i], 0, "maximum " + i);
            assertEquals(Math.min(a[i % 6], b[i % 6]), min[i], 0, "minimum " + i);
        }
        assertArrayEquals(repeat(new boolean[] {false, false, false, true, true, true}, 5), bools(Cpu.binary(Op.EQ, ta, tb)));
        assertArrayEquals(repeat(new boolean[] {true, true, true, false, false, false}, 5), bools(Cpu.binary(Op.NE, ta, tb)));
        assertArrayEquals(repeat(new boolean[] {false, false, false, false, false, false}, 5), bools(Cpu.binary(Op.LT, ta, tb)));
        assertArrayEquals(repeat(new boolean[] {false, false, false, true, true, true}, 5), bools(Cpu.binary(Op.LE, ta, tb)));
        assertArrayEquals(repeat(new boolean[] {false, false, false, false, false, false}, 5), bools(Cpu.binary(Op.GT, ta, tb)));
        assertArrayEquals(repeat(new boolean[] {false, false, false, true, true, true}, 5), bools(Cpu.binary(Op.GE, ta, tb)));
    }

    @Test
    void stridedAndBroadcastOperandsAgreeWithContiguousCopies() {
        Generator g = new Generator(2);
        Tensor a = Tensor.randn(g, 7, 37).t();                 // [37, 7], transposed
        Tensor b = Tensor.randn(g, 37, 1).expand(37, 7);       // stride 0 along dim 1
        Tensor c = Tensor.randn(g, 37, 14).slice(1, 0, 14, 2); // every other column
        Tensor s = Tensor.scalar(0.5).expand(37, 7);           // all strides 0
        for (Op op : new Op[] {Op.ADD, Op.MUL, Op.DIV, Op.LT, Op.POW}) {
            for (Tensor[] pair : new Tensor[][] {{a, b}, {b, c}, {c, s}, {s, a}}) {
                Tensor x = pair[0];
                Tensor y = pair[1];
                Tensor want = Cpu.binary(op, x.copy(), y.copy());
                assertArrayEquals(want.toFloatArray(), Cpu.binary(op, x, y).toFloatArray(), 0f, op.opName());
            }
        }
        for (Op op : new Op[] {Op.EXP, Op.TANH, Op.GELU_ERF, Op.RELU}) {
            assertArrayEquals(Cpu.bits(Cpu.unary(op, a.copy()).toFloatArray()), Cpu.bits(Cpu.unary(op, a).toFloatArray()));
            assertArrayEquals(Cpu.bits(Cpu.unary(op, b.copy()).toFloatArray()), Cpu.bits(Cpu.unary(op, b).toFloatArray()));
        }
    }

    @Test
    void sizeZeroAndScalars() {
        assertEquals(0, Cpu.unary(Op.EXP, Tensor.zeros(0, 3)).numel());
        assertEquals(0, Cpu.binary(Op.ADD, Tensor.zeros(3, 0), Tensor.zeros(3, 0)).numel());
        assertEquals((float) Math.exp(1), Cpu.unary(Op.EXP, Tensor.scalar(1)).toFloatArray()[0], 1e-6f);
        assertEquals(5f, Cpu.binary(Op.ADD, Tensor.scalar(2), Tensor.scalar(3)).item());
    }

    @Test
    void integersAreExact() {
        long big = (1L << 60) + 3;
        Tensor a = Tensor.of(new long[] {big, -7, 7, Long.MIN_VALUE, 3});
        Tensor b = Tensor.of(new long[] {2, 2, -2, -1, 4});
        assertArrayEquals(new long[] {big + 2, -5, 5, Long.MAX_VALUE, 7}, Cpu.binary(Op.ADD, a, b).toLongArray());
        assertArrayEquals(new long[] {big * 2, -14, -14, Long.MIN_VALUE, 12}, Cpu.binary(Op.MUL, a, b).toLongArray());
        assertArrayEquals(new long[] {-big, 7, -7, Long.MIN_VALUE, -3}, Cpu.unary(Op.NEG, a).toLongArray());
        assertArrayEquals(new long[] {big, 0, 7, 0, 3}, Cpu.unary(Op.RELU, a).toLongArray());
        assertArrayEquals(new boolean[] {false, true, false, true, true}, bools(Cpu.binary(Op.LT, a, b)));
        Tensor i32 = Tensor.of(new int[] {Integer.MAX_VALUE, -3});
        assertArrayEquals(new int[] {Integer.MIN_VALUE, -2}, Cpu.binary(Op.ADD, i32, Tensor.of(new int[] {1, 1})).toIntArray());
        // Non-integer ops on integers compute in double and truncate, as DType.write does.
        assertArrayEquals(new int[] {2, 7}, Cpu.unary(Op.EXP, Tensor.of(new int[] {1, 2})).toIntArray());
    }

    @Test
    void f64AndHalfTypes() {
        Tensor d = Tensor.of(new double[] {0.1, 2, -3});
        assertArrayEquals(new double[] {0.1 + 2, 2 + 2, -3 + 2}, Cpu.binary(Op.ADD, d, Tensor.of(new double[] {2, 2, 2})).toDoubleArray());
        assertArrayEquals(new double[] {Math.exp(0.1), Math.exp(2), Math.exp(-3)}, Cpu.unary(Op.EXP, d).toDoubleArray());
        Tensor h = Tensor.of(new float[] {1, 2.5f, 1000}).to(DType.BF16);
        Tensor sum = Cpu.binary(Op.ADD, h, h);
        assertEquals(DType.BF16, sum.dtype());
        assertArrayEquals(new float[] {2, 5, 2000}, sum.toFloatArray());
        Tensor f16 = Tensor.of(new float[] {60000}).to(DType.F16);
        assertEquals(INF, Cpu.binary(Op.ADD, f16, f16).toFloatArray()[0]); // beyond the largest half
    }

    @Test
    void whereSelectsAndClampKeepsNan() {
        for (int n : new int[] {1, 15, 16, 17, 40}) {
            boolean[] c = new boolean[n];
            float[] a = new float[n];
            float[] b = new float[n];
            float[] want = new float[n];
            for (int i = 0; i < n; i++) {
                c[i] = i % 3 == 0;
                a[i] = i;
                b[i] = -i;
                want[i] = c[i] ? a[i] : b[i];
            }
            Tensor out = Cpu.empty(DType.F32, n);
            Cpu.CPU.where(Tensor.of(c), Tensor.of(a), Tensor.of(b), out);
            assertArrayEquals(want, out.toFloatArray(), "n=" + n);
            Tensor outL = Cpu.empty(DType.I64, n);
            Cpu.CPU.where(Tensor.of(c), Tensor.of(a).to(DType.I64), Tensor.of(b).to(DType.I64), outL);
            assertArrayEquals(want, outL.toFloatArray(), "I64 n=" + n);
        }
        float[] x = repeat(new float[] {NAN, -5, 0.5f, 5, -INF, INF}, 4);
        Tensor out = Cpu.empty(DType.F32, x.length);
        Cpu.CPU.clamp(Tensor.of(x), -1, 1, out);
        assertArrayEquals(repeat(new float[] {NAN, -1, 0.5f, 1, -1, 1}, 4), out.toFloatArray());
        Cpu.CPU.clamp(Tensor.of(x), Double.NEGATIVE_INFINITY, 1, out);
        assertArrayEquals(repeat(new float[] {NAN, -5, 0.5f, 1, -INF, 1}, 4), out.toFloatArray());
        Tensor ints = Cpu.empty(DType.I32, 3);
        Cpu.CPU.clamp(Tensor.of(new int[] {-9, 0, 9}), -2.5, 2.5, ints);
        assertArrayEquals(new int[] {-2, 0, 2}, ints.toIntArray());
    }

    @Test
    void fillAndCopyConvertAcrossDtypesAndLayouts() {
        Tensor base = Tensor.zeros(6, 5);
        Tensor view = base.slice(1, 1, 5, 2); // [6, 2], strided
        Cpu.CPU.fill(view, 3.5);
        float[] got = base.toFloatArray();
        for (int i = 0; i < 30; i++) {
            assertEquals(i % 5 == 1 || i % 5 == 3 ? 3.5f : 0f, got[i], "element " + i);
        }
        for (DType type : DType.values()) {
            Tensor t = Cpu.empty(type, 2, 19);
            Cpu.CPU.fill(t, 1.75);
            Tensor back = Cpu.empty(DType.F64, 2, 19);
            Cpu.CPU.copy(t.t(), back.t());
            double want = switch (type) {
                case I32, I64 -> 1;
                case BOOL -> 1;
                default -> 1.75;
            };
            for (double v : back.toDoubleArray()) {
                assertEquals(want, v, type.toString());
            }
        }
        // Copies convert as casts do: floats truncate into integers (NaN to 0, saturating), I64 to I32
        // wraps, and an integer rounds once into a float type.
        Tensor i32 = Cpu.empty(DType.I32, 3);
        Cpu.CPU.copy(Tensor.of(new float[] {-2.7f, NAN, 3e9f}), i32);
        assertArrayEquals(new int[] {-2, 0, Integer.MAX_VALUE}, i32.toIntArray());
        Cpu.CPU.copy(Tensor.of(new long[] {(1L << 32) + 5}), i32.slice(0, 0, 1));
        assertEquals(5, i32.toIntArray()[0]);
        long oddBig = (1L << 60) + (1L << 36) + 1; // just above a tie between two floats: a detour through double would round to even
        Tensor f = Cpu.empty(DType.F32, 1);
        Cpu.CPU.copy(Tensor.of(new long[] {oddBig}), f);
        assertEquals((float) oddBig, f.toFloatArray()[0]);
        Tensor t = Tensor.randn(new Generator(3), 3, 4, 5).permute(2, 0, 1);
        Tensor c = Cpu.empty(DType.F32, 5, 3, 4);
        Cpu.CPU.copy(t, c);
        assertArrayEquals(t.toFloatArray(), c.toFloatArray());
    }

    @Test
    void transposedCopiesGoThroughTilesForEveryDtype() {
        Tensor x = Tensor.randn(new Generator(12), 3, 45, 37);
        for (DType type : new DType[] {DType.F32, DType.BF16, DType.F64, DType.I64, DType.BOOL}) {
            Tensor t = x.to(type).transpose(1, 2); // [3, 37, 45], contiguous along dim 1
            Tensor out = Cpu.empty(type, 3, 37, 45);
            Cpu.CPU.copy(t, out);
            double[] src = x.to(type).toDoubleArray();
            double[] got = out.toDoubleArray();
            for (int b = 0; b < 3; b++) {
                for (int i = 0; i < 37; i++) {
                    for (int j = 0; j < 45; j++) {
                        assertEquals(src[(b * 45 + j) * 37 + i], got[(b * 37 + i) * 45 + j], type + " at " + b + "," + i + "," + j);
                    }
                }
            }
        }
    }

    private static float[] repeat(float[] v, int times) {
        float[] r = new float[v.length * times];
        for (int i = 0; i < r.length; i++) {
            r[i] = v[i % v.length];
        }
        return r;
    }

    private static boolean[] repeat(boolean[] v, int times) {
        boolean[] r = new boolean[v.length * times];
        for (int i = 0; i < r.length; i++) {
            r[i] = v[i % v.length];
        }
        return r;
    }

    static boolean[] bools(Tensor t) {
        long[] v = t.toLongArray();
        boolean[] r = new boolean[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i] != 0;
        }
        return r;
    }
}
