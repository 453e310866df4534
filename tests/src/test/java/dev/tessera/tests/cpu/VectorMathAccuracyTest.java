package dev.tessera.tests.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The accuracy budget of the cpu backend's F32 transcendental functions, measured against double
 * precision over wide input ranges, in float ulps of the exact result (results below the smallest
 * normal float are measured in ulps of Float.MIN_NORMAL, i.e. absolutely). Each test states the
 * budget it enforces; the measured maxima (AVX-512, 16 lanes) are in the comments.
 */
class VectorMathAccuracyTest {
    private static final int SAMPLES = 200_000;

    /** Random floats: half uniform in [lo, hi], half log-uniform in magnitude with both signs, all inside [lo, hi]. */
    private static float[] samples(double lo, double hi, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[SAMPLES];
        double maxMag = Math.max(Math.abs(lo), Math.abs(hi));
        for (int i = 0; i < v.length; i++) {
            double x;
            if (i % 2 == 0) {
                x = lo + (hi - lo) * r.nextDouble();
            } else {
                x = Math.exp(Math.log(1e-30) + (Math.log(maxMag) - Math.log(1e-30)) * r.nextDouble());
                x = r.nextBoolean() ? x : -x;
                x = Math.min(Math.max(x, lo), hi);
            }
            v[i] = (float) x;
        }
        return v;
    }

    /** Max error in float ulps of {@code op} over {@code x} against {@code exact}. */
    private static double maxUlps(Op op, float[] x, DoubleUnaryOperator exact) {
        float[] got = Cpu.unary(op, Tensor.of(x)).toFloatArray();
        double worst = 0;
        float worstAt = 0;
        for (int i = 0; i < x.length; i++) {
            double want = exact.applyAsDouble(x[i]);
            double err = Math.abs(got[i] - want);
            if (Double.isNaN(want) || Double.isInfinite(want)) {
                assertEquals(want, got[i], 0, op + " at " + x[i]);
                continue;
            }
            double ulp = Math.max(Math.ulp((float) want), Math.ulp(Float.MIN_NORMAL));
            // Where the exact result rounds to the largest float's neighbourhood, infinity is off by at most an ulp.
            double e = Float.isInfinite(got[i]) ? 0 : err / ulp;
            if (e > worst) {
                worst = e;
                worstAt = x[i];
            }
        }
        System.out.printf("%s: max %.2f ulp at %s%n", op, worst, worstAt);
        return worst;
    }

    @Test
    void exp() {
        // measured 1.03 ulp over [-104, 89]
        assertTrue(maxUlps(Op.EXP, samples(-104, 89, 1), Math::exp) <= 1.5);
    }

    @Test
    void log() {
        float[] x = samples(0, Float.MAX_VALUE, 2);
        for (int i = 0; i < x.length; i += 7) {
            x[i] = Math.abs(x[i]) * 1e-10f; // subnormals too
        }
        // measured 0.76 ulp over all positive floats
        assertTrue(maxUlps(Op.LOG, x, Math::log) <= 1.5);
    }

    @Test
    void tanh() {
        // measured 1.27 ulp
        assertTrue(maxUlps(Op.TANH, samples(-20, 20, 3), Math::tanh) <= 2.5);
    }

    @Test
    void sigmoid() {
        // measured 1.98 ulp, relative accuracy kept down to the smallest floats on the negative side
        assertTrue(maxUlps(Op.SIGMOID, samples(-100, 100, 4), VectorMathAccuracyTest::sigmoidExact) <= 3);
    }

    @Test
    void silu() {
        // measured 2.83 ulp down to x = -85; below, x e^x is subnormal and the error is a few subnormal
        // steps times |x| (the subnormal e^x has few bits), which this budget does not cover.
        assertTrue(maxUlps(Op.SILU, samples(-85, 100, 5), v -> v * sigmoidExact(v)) <= 3.5);
    }

    @Test
    void geluTanh() {
        // gelu_tanh(x) = x sigmoid(z), z = 2 sqrt(2/pi)(x + 0.044715 x^3), is ill-conditioned for negative x:
        // the float rounding of z (a few ulps of z) scales the relative error by |z|. z carries about 2 ulps
        // of its own (x^2, the fma, the product, the rounded constants); budget: (4 + 3 |z|) ulp, measured 0.7 of it.
        float[] x = samples(-12, 50, 6);
        float[] got = Cpu.unary(Op.GELU_TANH, Tensor.of(x)).toFloatArray();
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            double z = 2 * Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v);
            double want = v * sigmoidExact(z);
            double ulp = Math.max(Math.ulp((float) want), Math.ulp(Float.MIN_NORMAL));
            double e = Math.abs(got[i] - want) / ulp / (4 + 3 * Math.abs(z));
            worst = Math.max(worst, e);
        }
        System.out.printf("GELU_TANH: max %.2f of budget%n", worst);
        assertTrue(worst <= 1);
    }

    @Test
    void geluErf() {
        float[] x = samples(-14.4, 20, 7);
        double[] exact = Cpu.unary(Op.GELU_ERF, Tensor.of(toDoubles(x))).toDoubleArray();
        // Measured 3.7 ulp (every 31st float of [1, 14.4]: 4.6 near x = -1.8). x Phi(x) turns subnormal near
        // x = -13.2 (not -12.5); those results, rounded once by the last fma, are within 3 subnormal steps.
        int[] at = {0};
        assertTrue(maxUlps(Op.GELU_ERF, x, v -> exact[at[0]++]) <= 6);
    }

    @Test
    void geluErfOnEvery127thFloatNearZero() {
        // Near 0, w = 1 / (1 + 0.346 |x|) is close to 1, where Phi is most sensitive to it (twice as much as to
        // x): the rounding of 1 + 0.346 |x| alone cost 2.3 ulp there before w was corrected for it. A random
        // sample misses the worst inputs; this sweep of |x| in [1e-5, 2] read 6.14 ulp without the correction,
        // measures 4.5 with it (every 7th float of [1e-4, 1]: 4.4).
        float[] x = everyNthFloat(1e-5f, 2f, 127);
        double[] exact = Cpu.unary(Op.GELU_ERF, Tensor.of(toDoubles(x))).toDoubleArray();
        int[] at = {0};
        assertTrue(maxUlps(Op.GELU_ERF, x, v -> exact[at[0]++]) <= 6);
    }

    @Test
    void geluErfAtItsClampAndForTinyInputs() {
        // |x| is clamped at 14.4 (the tail Phi(-14.4) rounds to 0): beyond it the result is exactly x or -0,
        // and just inside it the subnormal results stay within a few subnormal steps of the exact ones.
        float[] x = {14.4f, 14.5f, 1e10f, Float.MAX_VALUE, -14.4f, -14.5f, -1e10f, -Float.MAX_VALUE,
            -14.3f, -14f, -13.5f, -13.2f, 1e-30f, -1e-30f, Float.MIN_NORMAL, -Float.MIN_NORMAL, 3e-4f, -3e-4f};
        float[] got = Cpu.unary(Op.GELU_ERF, Tensor.of(x)).toFloatArray();
        double[] exact = Cpu.unary(Op.GELU_ERF, Tensor.of(toDoubles(x))).toDoubleArray();
        for (int i = 0; i < 4; i++) {
            assertEquals(x[i], got[i], 0, "gelu_erf(" + x[i] + ")");
            assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(got[i + 4]), "gelu_erf(" + x[i + 4] + ")");
        }
        for (int i = 8; i < 12; i++) {
            assertEquals(exact[i], got[i], 16 * Float.MIN_VALUE, "gelu_erf(" + x[i] + ")");
        }
        for (int i = 12; i < x.length; i++) {
            assertEquals(exact[i], got[i], 6 * Math.ulp((float) exact[i]), "gelu_erf(" + x[i] + ")");
        }
    }

    @Test
    void geluErfDoublePathMatchesHighPrecisionValues() {
        // x Phi(x) computed with mpmath at 40 digits.
        double[] x = {-12, -6, -3, -1, -0.5, 0, 0.3, 1, 2.5, 8};
        double[] want = {-2.1317785344932147e-32, -5.9195258702261885e-09, -4.0496940948902835e-03,
            -1.5865525393145705e-01, -1.5426876936299344e-01, 0, 1.8537342665668580e-01, 8.4134474606854293e-01,
            2.4844758366855597e+00, 7.9999999999999947e+00};
        double[] got = Cpu.unary(Op.GELU_ERF, Tensor.of(x)).toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            assertEquals(want[i], got[i], Math.abs(want[i]) * 1e-13, "gelu_erf(" + x[i] + ")");
        }
    }

    @Test
    void sinAndCos() {
        // Three-part reduction with fma up to |x| = 65536 (measured 1.48 ulp), Math.sin/cos in double beyond.
        float[] x = samples(-1e6, 1e6, 8);
        for (int i = 0; i < 2000; i++) {
            x[i] = (float) (Math.PI / 2 * (i - 1000)); // near multiples of pi/2, where r is tiny
        }
        assertTrue(maxUlps(Op.SIN, x, Math::sin) <= 2);
        assertTrue(maxUlps(Op.COS, x, Math::cos) <= 2);
    }

    @Test
    void specialValues() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        float[] x = {nan, inf, -inf, 0f, -0f};
        check(Op.EXP, x, nan, inf, 0f, 1f, 1f);
        check(Op.LOG, x, nan, inf, nan, -inf, -inf);
        check(Op.TANH, x, nan, 1f, -1f, 0f, -0f);
        check(Op.SIGMOID, x, nan, 1f, 0f, 0.5f, 0.5f);
        check(Op.SILU, x, nan, inf, nan, 0f, -0f);
        check(Op.GELU_TANH, x, nan, inf, nan, 0f, -0f);
        check(Op.GELU_ERF, x, nan, inf, nan, 0f, -0f);
        check(Op.SIN, x, nan, nan, nan, 0f, -0f);
        check(Op.COS, x, nan, nan, nan, 1f, 1f);
        check(Op.RELU, x, nan, inf, 0f, 0f, 0f);
        check(Op.SQRT, x, nan, inf, nan, 0f, -0f);
        check(Op.RSQRT, x, nan, 0f, nan, inf, -inf);
        check(Op.RECIPROCAL, x, nan, 0f, -0f, inf, -inf);
        assertEquals(0f, Cpu.unary(Op.EXP, Tensor.of(new float[] {-200f})).toFloatArray()[0]);
        assertEquals(inf, Cpu.unary(Op.EXP, Tensor.of(new float[] {89f})).toFloatArray()[0]);
        assertEquals(Float.MIN_VALUE, Cpu.unary(Op.EXP, Tensor.of(new float[] {-103.5f})).toFloatArray()[0]);
    }

    /** Every value of the sample set, both as one long tensor (vector body) and one element at a time (scalar tail). */
    private static void check(Op op, float[] x, float... want) {
        float[] padded = new float[40];
        for (int i = 0; i < padded.length; i++) {
            padded[i] = x[i % x.length];
        }
        float[] got = Cpu.unary(op, Tensor.of(padded)).toFloatArray();
        for (int i = 0; i < padded.length; i++) {
            assertEquals(want[i % x.length], got[i], 0, op + "(" + padded[i] + ") at position " + i);
        }
    }

    @Test
    void vectorBodyAndScalarTailGiveTheSameBits() {
        float[] x = samples(-30, 30, 9);
        float[] head = java.util.Arrays.copyOf(x, 4099);
        for (Op op : new Op[] {Op.EXP, Op.LOG, Op.TANH, Op.SIGMOID, Op.SILU, Op.GELU_TANH, Op.GELU_ERF, Op.SIN, Op.COS,
            Op.RSQRT, Op.SQRT, Op.RELU, Op.RECIPROCAL, Op.SQUARE, Op.NEG, Op.ABS}) {
            float[] input = op == Op.LOG || op == Op.SQRT || op == Op.RSQRT ? abs(head) : head;
            float[] whole = Cpu.unary(op, Tensor.of(input)).toFloatArray();
            // Shifting the input by one element moves every value between vector body and scalar tail.
            float[] shifted = Cpu.unary(op, Tensor.of(input).slice(0, 1, input.length)).toFloatArray();
            assertArrayEquals(Cpu.bits(java.util.Arrays.copyOfRange(whole, 1, whole.length)), Cpu.bits(shifted), op.opName());
            for (int i = 0; i < 50; i++) {
                float one = Cpu.unary(op, Tensor.of(new float[] {input[i]})).toFloatArray()[0];
                assertEquals(Float.floatToIntBits(whole[i]), Float.floatToIntBits(one), op + "(" + input[i] + ")");
            }
        }
    }

    @Test
    void bf16AndF16AreComputedInFloatThenRounded() {
        float[] x = samples(-5, 5, 10);
        Tensor f32 = Tensor.of(x);
        for (DType type : new DType[] {DType.BF16, DType.F16}) {
            Tensor half = f32.to(type);
            float[] want = Cpu.unary(Op.TANH, half.to(DType.F32)).to(type).toFloatArray();
            float[] got = Cpu.unary(Op.TANH, half).toFloatArray();
            assertArrayEquals(Cpu.bits(want), Cpu.bits(got), type.toString());
        }
    }

    private static float[] abs(float[] v) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.abs(v[i]);
        }
        return r;
    }

    /** Every n-th float from lo to hi (0 < lo < hi), each with both signs. */
    private static float[] everyNthFloat(float lo, float hi, int n) {
        int from = Float.floatToIntBits(lo);
        int count = (Float.floatToIntBits(hi) - from) / n + 1;
        float[] v = new float[2 * count];
        for (int i = 0; i < count; i++) {
            v[2 * i] = Float.intBitsToFloat(from + i * n);
            v[2 * i + 1] = -v[2 * i];
        }
        return v;
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static double sigmoidExact(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
