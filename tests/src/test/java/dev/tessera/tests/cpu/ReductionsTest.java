package dev.tessera.tests.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ReductionsTest {
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    /** The reduction computed in double from the row-major elements, over dims of a 3-D shape. */
    private static double[] oracle(Op op, double[] x, long[] shape, boolean[] reduced) {
        long[] outShape = shape.clone();
        for (int d = 0; d < 3; d++) {
            if (reduced[d]) {
                outShape[d] = 1;
            }
        }
        int nOut = (int) (outShape[0] * outShape[1] * outShape[2]);
        double[] acc = new double[nOut];
        double[] max = new double[nOut];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(acc, op == Op.MAX ? Double.NEGATIVE_INFINITY : op == Op.MIN ? Double.POSITIVE_INFINITY : 0);
        for (int pass = 0; pass < (op == Op.LOGSUMEXP ? 2 : 1); pass++) {
            for (int i = 0; i < shape[0]; i++) {
                for (int j = 0; j < shape[1]; j++) {
                    for (int k = 0; k < shape[2]; k++) {
                        double v = x[(int) ((i * shape[1] + j) * shape[2] + k)];
                        int o = (int) (((reduced[0] ? 0 : i) * outShape[1] + (reduced[1] ? 0 : j)) * outShape[2] + (reduced[2] ? 0 : k));
                        switch (op) {
                            case SUM -> acc[o] += v;
                            case MAX -> acc[o] = Math.max(acc[o], v);
                            case MIN -> acc[o] = Math.min(acc[o], v);
                            default -> {
                                if (pass == 0) {
                                    max[o] = Math.max(max[o], v);
                                } else {
                                    acc[o] += Math.exp(v - max[o]);
                                }
                            }
                        }
                    }
                }
            }
        }
        if (op == Op.LOGSUMEXP) {
            for (int o = 0; o < nOut; o++) {
                acc[o] = Double.isInfinite(max[o]) ? max[o] : max[o] + Math.log(acc[o]);
            }
        }
        return acc;
    }

    @Test
    void everySubsetOfDimsOnContiguousAndTransposedInputs() {
        Generator g = new Generator(4);
        long[][] shapes = {{3, 5, 7}, {2, 33, 17}, {1, 70, 3}, {4, 1, 66}, {5, 2, 1}};
        for (long[] shape : shapes) {
            Tensor x = Tensor.randn(g, shape);
            double[] xv = x.toDoubleArray();
            // The same values behind a permuted layout: built as [k, j, i] and permuted back.
            Tensor permuted = x.permute(2, 1, 0).copy().permute(2, 1, 0);
            for (int mask = 1; mask < 8; mask++) {
                boolean[] reduced = {(mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0};
                int[] dims = java.util.stream.IntStream.range(0, 3).filter(d -> reduced[d]).toArray();
                for (Op op : new Op[] {Op.SUM, Op.MAX, Op.MIN, Op.LOGSUMEXP}) {
                    double[] want = oracle(op, xv, shape, reduced);
                    float[] got = Cpu.reduce(op, x, dims).toFloatArray();
                    float[] gotPermuted = Cpu.reduce(op, permuted, dims).toFloatArray();
                    for (int o = 0; o < want.length; o++) {
                        double tol = 1e-5 * (1 + Math.abs(want[o]));
                        String what = op + " over " + java.util.Arrays.toString(dims) + " of " + java.util.Arrays.toString(shape);
                        assertEquals(want[o], got[o], tol, what);
                        assertEquals(want[o], gotPermuted[o], tol, what + " (permuted)");
                    }
                }
            }
        }
    }

    @Test
    void lengthsAcrossTheVectorWidth() {
        for (int n = 1; n <= 67; n++) {
            float[] v = new float[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                v[i] = (i * 7919 % 101) - 50;
                sum += v[i];
            }
            Tensor x = Tensor.of(v);
            assertEquals(sum, Cpu.reduce(Op.SUM, x, 0).item(), "n=" + n);
            v[n / 2] = 1000;
            assertEquals(1000, Cpu.reduce(Op.MAX, Tensor.of(v), 0).item(), "n=" + n);
            v[n - 1] = NAN;
            assertEquals(Float.NaN, (float) Cpu.reduce(Op.MAX, Tensor.of(v), 0).item(), "n=" + n);
            assertEquals(Float.NaN, (float) Cpu.reduce(Op.MIN, Tensor.of(v), 0).item(), "n=" + n);
            assertEquals(Float.NaN, (float) Cpu.reduce(Op.SUM, Tensor.of(v), 0).item(), "n=" + n);
        }
    }

    @Test
    void logsumexpIsStableAndHandlesInfinities() {
        assertEquals(1000 + Math.log(2), Cpu.reduce(Op.LOGSUMEXP, Tensor.of(new float[] {1000, 1000}), 0).item(), 1e-3);
        assertEquals(-INF, Cpu.reduce(Op.LOGSUMEXP, Tensor.of(new float[] {-INF, -INF}), 0).item());
        assertEquals(INF, Cpu.reduce(Op.LOGSUMEXP, Tensor.of(new float[] {INF, 1}), 0).item());
        assertEquals(Double.NaN, Cpu.reduce(Op.LOGSUMEXP, Tensor.of(new float[] {NAN, 1}), 0).item());
        assertEquals(-INF, Cpu.reduce(Op.LOGSUMEXP, Tensor.zeros(0), 0).item());
        assertEquals(0, Cpu.reduce(Op.SUM, Tensor.zeros(3, 0), 1).toFloatArray()[2]);
        assertThrows(IllegalArgumentException.class, () -> Cpu.reduce(Op.MAX, Tensor.zeros(0), 0));
        // Outer reductions (kept dims innermost) on -inf columns and NaN columns.
        Tensor cols = Tensor.of(new float[] {-INF, NAN, 1, -INF, 2, 1}, 2, 3).expand(2, 2, 3).reshape(4, 3);
        float[] lse = Cpu.reduce(Op.LOGSUMEXP, Tensor.of(new float[] {-INF, NAN, 1, -INF, 2, 1, -INF, 3, 1, -INF, 4, 1}, 4, 3).t().copy().t(), 0).toFloatArray();
        assertEquals(-INF, lse[0]);
        assertEquals(NAN, lse[1]);
        assertEquals(1 + Math.log(4), lse[2], 1e-6);
        assertEquals(4, cols.numel() / 3);
    }

    @Test
    void integersAndBoolSumExactlyIntoI64() {
        long big = 1L << 60;
        Tensor x = Tensor.of(new long[] {big, 1, big, 1}, 2, 2);
        Tensor s = Cpu.reduce(Op.SUM, x, 0);
        assertEquals(DType.I64, s.dtype());
        assertArrayEquals(new long[] {2 * big, 2}, s.toLongArray());
        assertArrayEquals(new long[] {big}, Cpu.reduce(Op.MAX, x, 0, 1).toLongArray());
        assertArrayEquals(new long[] {5}, Cpu.reduce(Op.SUM, Tensor.of(new boolean[] {true, false, true, true, true, true, false}), 0).toLongArray());
        assertArrayEquals(new long[] {-3}, Cpu.reduce(Op.SUM, Tensor.of(new int[] {-1, -2}), 0).toLongArray());
        assertArrayEquals(new int[] {-2}, Cpu.reduce(Op.MIN, Tensor.of(new int[] {-1, -2}), 0).toIntArray());
    }

    @Test
    void f64AndBf16() {
        double[] v = {1e16, 1, -1e16, 1};
        assertEquals(1e16 + 1 - 1e16 + 1, Cpu.reduce(Op.SUM, Tensor.of(v), 0).item());
        Tensor b = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).to(DType.BF16);
        Tensor s = Cpu.reduce(Op.SUM, b, 1);
        assertEquals(DType.BF16, s.dtype());
        assertArrayEquals(new float[] {6, 15}, s.toFloatArray());
        assertArrayEquals(new float[] {4, 5, 6}, Cpu.reduce(Op.MAX, b, 0).toFloatArray());
    }

    @Test
    void longSumsStayAccurateAndDeterministic() {
        // 3M values: one serial float chain would drift by ~1e-3 relative; the blocked sum stays near 1e-7.
        int n = 3_000_000;
        Tensor x = Tensor.rand(new Generator(5), n);
        double exact = 0;
        for (float f : x.toFloatArray()) {
            exact += f;
        }
        double got = Cpu.reduce(Op.SUM, x, 0).item();
        assertEquals(exact, got, exact * 1e-6);
        assertEquals(got, Cpu.reduce(Op.SUM, x, 0).item(), 0, "same bits twice");
        // The same for a sum over the outer dim (tile path) with a long reduced dim.
        Tensor m = x.view(60_000, 50);
        float[] cols = Cpu.reduce(Op.SUM, m, 0).toFloatArray();
        float[] xv = x.toFloatArray();
        for (int j = 0; j < 50; j++) {
            double e = 0;
            for (int i = 0; i < 60_000; i++) {
                e += xv[i * 50 + j];
            }
            assertEquals(e, cols[j], e * 1e-5, "column " + j);
        }
        double lse = Cpu.reduce(Op.LOGSUMEXP, x, 0).item();
        double sumExp = 0;
        for (float f : xv) {
            sumExp += Math.exp(f);
        }
        assertEquals(Math.log(sumExp), lse, 1e-5);
    }

    @Test
    void argmaxArgminTiesNanAndLayouts() {
        Tensor x = Tensor.of(new float[] {3, 1, 3, 1, NAN, 0, NAN, 5, 2, 2, 2, 2}, 3, 4);
        assertArrayEquals(new long[] {0, 0, 0}, arg(Op.ARGMAX, x, 1).toLongArray());
        assertArrayEquals(new long[] {1, 0, 0}, arg(Op.ARGMIN, x, 1).toLongArray());
        assertArrayEquals(new long[] {1, 2, 1, 1}, arg(Op.ARGMAX, x, 0).toLongArray());
        assertArrayEquals(new long[] {1, 1, 1, 0}, arg(Op.ARGMIN, x, 0).toLongArray());
        for (int n = 1; n <= 67; n++) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (i * 31 % 17);
            }
            int best = 0;
            for (int i = 0; i < n; i++) {
                best = v[i] > v[best] ? i : best;
            }
            assertEquals(best, arg(Op.ARGMAX, Tensor.of(v), 0).toLongArray()[0], "n=" + n);
            assertEquals(best, arg(Op.ARGMAX, Tensor.of(v).to(DType.F64), 0).toLongArray()[0], "F64 n=" + n);
            assertEquals(best, arg(Op.ARGMAX, Tensor.of(v).to(DType.I32), 0).toLongArray()[0], "I32 n=" + n);
        }
        Tensor big = Tensor.of(new long[] {(1L << 60) + 1, (1L << 60) + 2, (1L << 60) + 2});
        assertEquals(1, arg(Op.ARGMAX, big, 0).toLongArray()[0]);
        assertArrayEquals(new long[] {0, 0, 0}, arg(Op.ARGMAX, Tensor.zeros(3, 1), 1).toLongArray());
    }

    private static Tensor arg(Op op, Tensor x, int dim) {
        long[] shape = x.shape();
        shape[dim] = 1;
        Tensor out = Cpu.empty(DType.I64, shape);
        Cpu.CPU.argReduce(op, x, dim, out);
        return out;
    }
}
