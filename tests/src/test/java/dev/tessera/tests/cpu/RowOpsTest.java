package dev.tessera.tests.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

class RowOpsTest {
    private static Tensor softmax(Op op, Tensor x, int dim) {
        Tensor out = Cpu.empty(x.dtype(), x.shape());
        Cpu.CPU.softmax(op, x, dim, out);
        return out;
    }

    private static Tensor cumsum(Tensor x, int dim) {
        Tensor out = Cpu.empty(x.dtype(), x.shape());
        Cpu.CPU.cumsum(x, dim, out);
        return out;
    }

    @Test
    void softmaxOfEveryRowLengthMatchesDouble() {
        Generator g = new Generator(6);
        for (int n = 1; n <= 67; n++) {
            Tensor x = Tensor.randn(g, 3, n);
            float[] xv = x.toFloatArray();
            float[] sm = softmax(Op.SOFTMAX, x, 1).toFloatArray();
            float[] lsm = softmax(Op.LOG_SOFTMAX, x, 1).toFloatArray();
            for (int r = 0; r < 3; r++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    m = Math.max(m, xv[r * n + i]);
                }
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += Math.exp(xv[r * n + i] - m);
                }
                for (int i = 0; i < n; i++) {
                    double want = Math.exp(xv[r * n + i] - m) / s;
                    // exp(x - m) inherits the rounding of x - m, |x - m| ulps: the same in any float softmax.
                    // Plus exp (1 ulp), the float sum of the row (a few ulps) and the scaling (1 ulp).
                    double ulps = 8 + Math.abs(xv[r * n + i] - m);
                    assertEquals(want, sm[r * n + i], ulps * Math.ulp((float) want), "softmax n=" + n);
                    assertEquals(Math.log(want), lsm[r * n + i], 1e-6 * (1 + Math.abs(Math.log(want))), "log_softmax n=" + n);
                }
            }
        }
    }

    @Test
    void softmaxAlongEveryDimAndLayoutAgrees() {
        Generator g = new Generator(7);
        Tensor x = Tensor.randn(g, 4, 5, 19);
        Tensor permuted = x.permute(2, 0, 1).copy().permute(1, 2, 0); // same values, another layout
        for (int dim = 0; dim < 3; dim++) {
            for (Op op : new Op[] {Op.SOFTMAX, Op.LOG_SOFTMAX}) {
                float[] want = softmax(op, x.transpose(dim, 2).copy(), 2).transpose(dim, 2).copy().toFloatArray();
                assertArrayEquals(want, softmax(op, x, dim).toFloatArray(), 1e-6f, op + " dim " + dim);
                assertArrayEquals(want, softmax(op, permuted, dim).toFloatArray(), 1e-6f, op + " permuted dim " + dim);
                double[] f64 = softmax(op, x.to(DType.F64), dim).toDoubleArray();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], f64[i], 1e-6, op + " F64 dim " + dim);
                }
            }
        }
    }

    @Test
    void softmaxFarBelowTheMaxRoundsOnceIntoTheSubnormals() {
        // exp(x - m) is computed as 2^24 exp(x - m), normal down to x - m = -104, and the 2^-24 joins 1 / sum:
        // a subnormal probability is then within one subnormal step of the exact one; below -104 it is 0.
        float[] levels = {0, -10, -80, -87.5f, -90, -95, -100, -103, -103.9f, -104.5f, -200, Float.NEGATIVE_INFINITY};
        float[] row = new float[37]; // a vector body and a scalar tail
        for (int i = 0; i < row.length; i++) {
            row[i] = levels[i % levels.length];
        }
        float[] got = softmax(Op.SOFTMAX, Tensor.of(row), 0).toFloatArray();
        double s = 0;
        for (float v : row) {
            s += Math.exp(v);
        }
        for (int i = 0; i < row.length; i++) {
            double want = Math.exp(row[i]) / s;
            double tolerance = want < Float.MIN_NORMAL ? Float.MIN_VALUE : 8 * Math.ulp((float) want);
            assertEquals(want, got[i], tolerance, "softmax at x - m = " + row[i]);
            if (row[i] < -105) {
                assertEquals(0f, got[i], 0, "softmax at x - m = " + row[i]);
            }
        }
    }

    @Test
    void softmaxIsShiftedByTheMaxAndNanForAllMinusInfinity() {
        float[] big = softmax(Op.SOFTMAX, Tensor.of(new float[] {1000, 1000, 999}), 0).toFloatArray();
        assertEquals(1 / (2 + Math.exp(-1)), big[0], 1e-6);
        float[] ninf = softmax(Op.SOFTMAX, Tensor.of(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}), 0).toFloatArray();
        assertEquals(Float.NaN, ninf[0]);
        float[] masked = softmax(Op.LOG_SOFTMAX, Tensor.of(new float[] {Float.NEGATIVE_INFINITY, 0}), 0).toFloatArray();
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, 0}, masked);
        assertEquals(0, softmax(Op.SOFTMAX, Tensor.zeros(3, 0), 1).numel());
        assertArrayEquals(new float[] {1, 1, 1}, softmax(Op.SOFTMAX, Tensor.zeros(3, 1), 1).toFloatArray());
        Tensor b = Tensor.of(new float[] {0, 1, -3, 2.5f}).to(DType.BF16);
        Tensor viaF32 = softmax(Op.SOFTMAX, b.to(DType.F32), 0).to(DType.BF16);
        assertArrayEquals(viaF32.toFloatArray(), softmax(Op.SOFTMAX, b, 0).toFloatArray(), "computed in float, rounded once");
    }

    @Test
    void cumsumAlongEveryDim() {
        Tensor x = Cpu.iota(2, 3, 4);
        float[] want0 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36};
        assertArrayEquals(want0, cumsum(x, 0).toFloatArray());
        float[] d2 = cumsum(x, 2).toFloatArray();
        assertArrayEquals(new float[] {1, 3, 6, 10, 5, 11, 18, 26}, java.util.Arrays.copyOf(d2, 8));
        float[] d1 = cumsum(x.transpose(1, 2), 2).toFloatArray(); // strided rows
        assertArrayEquals(new float[] {1, 6, 15, 2, 8, 18}, java.util.Arrays.copyOf(d1, 6));
        long big = 1L << 60;
        assertArrayEquals(new long[] {big, 2 * big, 2 * big + 1}, cumsum(Tensor.of(new long[] {big, big, 1}), 0).toLongArray());
        // Accumulated in double: 1e8 + 1 + 1 + ... keeps every 1 the float sum would drop.
        float[] v = new float[5];
        v[0] = 1e8f;
        java.util.Arrays.fill(v, 1, 5, 1f);
        assertEquals(1e8f + 4, cumsum(Tensor.of(v), 0).toFloatArray()[4]);
        assertEquals(0, cumsum(Tensor.zeros(0, 4), 0).numel());
    }
}
