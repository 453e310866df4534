package dev.tessera.tests.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The opencl cross-entropy and RMSNorm kernels where the OpInfo cases do not reach: rows many
 * times wider than a work-group (50,000 logits, 8,192 features), more rows than RMSNorm's backward
 * has work-groups (so each group walks a chunk), RMSNorm rows whose F32 squares overflow or
 * underflow, ignored targets (inside [0, C) too), rows of -infinity, NaN and +infinity, and the
 * same bits on a second run. Each kernel runs through the Backend SPI on the same inputs as the
 * reference, outputs allocated as the front end would: the cross-entropy front end checks the
 * targets with reductions, which are another family's kernels.
 */
@ExtendWith(OpenClAvailable.class)
class OpenClLossNormTest {
    private static final Device CL = Device.opencl();
    private static final Device REF = Device.reference();
    private static final double EPS = 0x1p-23;
    private static final int CLASSES = 50_000;
    private static final int FEATURES = 8192;

    // ---------------------------------------------------------------- cross-entropy

    private static DType stats(DType dtype) {
        return dtype == DType.F64 ? DType.F64 : DType.F32;
    }

    /** {loss, lse} of logits [N, C] on logits' device. */
    private static Tensor[] crossEntropy(Tensor logits, Tensor targets, long ignoreIndex) {
        long rows = logits.shape()[0];
        Tensor loss = Tensor.empty(stats(logits.dtype()), logits.device(), rows);
        Tensor lse = Tensor.empty(stats(logits.dtype()), logits.device(), rows);
        logits.device().backend().crossEntropy(logits, targets, ignoreIndex, loss, lse);
        return new Tensor[] {loss, lse};
    }

    private static Tensor crossEntropyBackward(Tensor gradLoss, Tensor logits, Tensor targets, Tensor lse, long ignore) {
        Tensor out = Tensor.empty(logits.dtype(), logits.device(), logits.shape());
        logits.device().backend().crossEntropyBackward(gradLoss, logits, targets, lse, ignore, out);
        return out;
    }

    /** Logits [4, 50000] in [-10, 10]: stored transposed ([C, N] seen as [N, C]) when {@code strided}. */
    private static Tensor wideLogits(DType dtype, boolean strided, Device device) {
        Generator g = new Generator(17);
        long[] shape = strided ? new long[] {CLASSES, 4} : new long[] {4, CLASSES};
        Tensor x = Tensor.rand(g, shape).mul(20).sub(10).to(dtype).to(device);
        return strided ? x.transpose(0, 1) : x;
    }

    /**
     * loss and lse over 50,000 classes. Each of the 256 work items sums about 196 exps serially and
     * a tree of 8 levels adds those: the sum errs by under 210 eps relative, so log(sum) by 210 eps
     * absolute, and lse and loss round twice more (|lse| < 25): 256 eps absolute + 2 eps relative.
     * Row 1's target is the ignore index 7, a valid class: its loss is exactly 0.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16", "F64"})
    void fiftyThousandClassesMatchTheReference(DType dtype) {
        for (boolean strided : new boolean[] {false, true}) {
            long[] ids = {5, 7, CLASSES - 1, 0};
            Tensor[] want = crossEntropy(wideLogits(dtype, strided, REF), Tensor.of(ids, 4).to(REF), 7);
            Tensor[] got = crossEntropy(wideLogits(dtype, strided, CL), Tensor.of(ids, 4).to(CL), 7);
            double eps = dtype == DType.F64 ? 0x1p-52 : EPS;
            String what = dtype + (strided ? " strided" : "");
            assertClose(want[0].toDoubleArray(), got[0].toDoubleArray(), 2 * eps, 256 * eps, what + " loss");
            assertClose(want[1].toDoubleArray(), got[1].toDoubleArray(), 2 * eps, 256 * eps, what + " lse");
            assertEquals(0.0, got[0].toDoubleArray()[1], what + ": the ignored row's loss");
        }
    }

    /**
     * g (exp(x - lse) - [c == t]) over 50,000 classes, lse the reference's. Per element: x - lse
     * rounds (|x - lse| < 30, 15 eps of p), exp adds a few ulps and the product one: |diff| <= 24 eps
     * |g| absolute, plus an ulp of the output dtype. The ignored row is all +0.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F64"})
    void fiftyThousandClassGradientsMatchTheReference(DType dtype) {
        for (boolean strided : new boolean[] {false, true}) {
            long[] ids = {CLASSES - 1, 7, 3, 0};
            Tensor lse = crossEntropy(wideLogits(dtype, strided, REF), Tensor.of(ids, 4).to(REF), 7)[1];
            Tensor g = Tensor.of(new double[] {1.5, -1, 0.25, -0.75}, 4).to(stats(dtype));
            Tensor want = crossEntropyBackward(g.to(REF), wideLogits(dtype, strided, REF), Tensor.of(ids, 4).to(REF),
                    lse, 7);
            Tensor got = crossEntropyBackward(g.to(CL), wideLogits(dtype, strided, CL), Tensor.of(ids, 4).to(CL),
                    lse.to(CL), 7);
            double eps = dtype == DType.F64 ? 0x1p-52 : EPS;
            double rounding = Math.max(outputUlp(dtype), eps);
            double largestG = 1.5;
            assertClose(want.toDoubleArray(), got.toDoubleArray(), rounding, 24 * eps * largestG, dtype + " gradient");
            double[] ignored = got.slice(0, 1, 2).toDoubleArray();
            for (double v : ignored) {
                assertEquals(0, Double.doubleToRawLongBits(v), dtype + ": the ignored row is +0");
            }
        }
    }

    /** Rows of -infinity only, with NaN, with +infinity, and an ordinary one, 300 classes (two strides per item). */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void specialRowsFollowTheReference(DType dtype) {
        int c = 300;
        double[] values = new double[4 * c];
        for (int i = 0; i < c; i++) {
            values[i] = Double.NEGATIVE_INFINITY;
            values[c + i] = Math.sin(i);
            values[2 * c + i] = Math.cos(i);
            values[3 * c + i] = Math.sin(3 * i) * 5;
        }
        values[c + 123] = Double.NaN;
        values[2 * c + 250] = Double.POSITIVE_INFINITY;
        values[3 * c + 17] = Double.NEGATIVE_INFINITY;
        Tensor x = Tensor.of(values, 4, c).to(dtype);
        long[] ids = {2, 0, 1, 299};
        Tensor[] want = crossEntropy(x.to(REF), Tensor.of(ids, 4).to(REF), -100);
        Tensor[] got = crossEntropy(x.to(CL), Tensor.of(ids, 4).to(CL), -100);
        double[] lse = got[1].toDoubleArray();
        assertEquals(Double.NEGATIVE_INFINITY, lse[0]);
        assertTrue(Double.isNaN(lse[1]) && Double.isNaN(lse[2]), "NaN and +infinity rows give NaN");
        assertClose(want[0].toDoubleArray(), got[0].toDoubleArray(), 4 * EPS, 64 * EPS, dtype + " loss");
        assertClose(want[1].toDoubleArray(), lse, 4 * EPS, 64 * EPS, dtype + " lse");
        Tensor g = Tensor.ones(stats(dtype), 4);
        Tensor wantGrad = crossEntropyBackward(g.to(REF), x.to(REF), Tensor.of(ids, 4).to(REF), want[1], -100);
        Tensor gotGrad = crossEntropyBackward(g.to(CL), x.to(CL), Tensor.of(ids, 4).to(CL), want[1].to(CL), -100);
        assertClose(wantGrad.toDoubleArray(), gotGrad.toDoubleArray(), 4 * EPS, 32 * EPS, dtype + " gradient");
    }

    @Test
    void noClassesGiveMinusInfinityAndIgnoredLosses() {
        Tensor[] got = crossEntropy(Tensor.zeros(2, 0).to(CL), Tensor.of(new long[] {-100, -100}, 2).to(CL), -100);
        assertEquals(List.of(0.0, 0.0), boxed(got[0].toDoubleArray()));
        assertEquals(List.of(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY), boxed(got[1].toDoubleArray()));
    }

    // ---------------------------------------------------------------- RMSNorm

    /** {out, rstd} on x's device. */
    private static Tensor[] rmsNorm(Tensor x, Tensor weight, double eps) {
        Tensor out = Tensor.empty(x.dtype(), x.device(), x.shape());
        Tensor rstd = Tensor.empty(stats(x.dtype()), x.device(), Arrays.copyOf(x.shape(), x.rank() - 1));
        x.device().backend().rmsNorm(x, weight, eps, out, rstd);
        return new Tensor[] {out, rstd};
    }

    /** {gradX, gradWeight} on x's device. */
    private static Tensor[] rmsNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor rstd) {
        Tensor dx = Tensor.empty(x.dtype(), x.device(), x.shape());
        Tensor dw = Tensor.empty(weight.dtype(), x.device(), weight.shape());
        x.device().backend().rmsNormBackward(dy, x, weight, rstd, dx, dw);
        return new Tensor[] {dx, dw};
    }

    /** x as rows of features: its transpose when {@code strided} (x is then stored [features, rows]). */
    private static Tensor rows(Tensor x, boolean strided) {
        return strided ? x.transpose(0, 1) : x;
    }

    private static Tensor randn(long seed, DType dtype, long... shape) {
        return Tensor.randn(new Generator(seed), shape).to(dtype);
    }

    /**
     * 8,192 features, as an [8192, 3] tensor transposed too (x's last dim strided). The sum of
     * squares: 32 serial fmas per item, 8 tree levels, so under 40 eps relative; r half that plus
     * its rounding; out two more roundings: 32 eps relative, plus an ulp of BF16 or F16 out.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16", "F64"})
    void eightThousandFeaturesMatchTheReference(DType dtype) {
        for (boolean strided : new boolean[] {false, true}) {
            Tensor x = strided ? randn(3, dtype, FEATURES, 3) : randn(3, dtype, 3, FEATURES);
            Tensor w = randn(4, dtype, FEATURES);
            Tensor[] want = rmsNorm(rows(x.to(REF), strided), w.to(REF), 1e-5);
            Tensor[] got = rmsNorm(rows(x.to(CL), strided), w.to(CL), 1e-5);
            double eps = dtype == DType.F64 ? 0x1p-52 : EPS;
            double out = outputUlp(dtype);
            String what = dtype + (strided ? " strided" : "");
            assertClose(want[0].toDoubleArray(), got[0].toDoubleArray(), 32 * eps + out, 0, what + " out");
            assertClose(want[1].toDoubleArray(), got[1].toDoubleArray(), 24 * eps, 0, what + " rstd");
        }
    }

    /**
     * Rows of |x| ~ 1e20 (F32 squares overflow) and ~ 1e-25 (they underflow to 0), 1000 and 5 wide,
     * beside ordinary rows: summed again in double, r is the reference's to an ulp, and out to the
     * two roundings of w (x r).
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void hugeAndTinyRowsMatchTheReference(DType dtype) {
        for (int n : new int[] {5, 1000}) {
            Tensor unit = randn(5, DType.F32, 4, n);
            Tensor scale = Tensor.of(new double[] {1e20, 1, 1e-25, 3e19}, 4, 1).to(DType.F32);
            Tensor x = unit.mul(scale).to(dtype);
            Tensor w = randn(6, dtype, n);
            for (double eps : new double[] {0, 1e-6}) {
                Tensor[] want = rmsNorm(x.to(REF), w.to(REF), eps);
                Tensor[] got = rmsNorm(x.to(CL), w.to(CL), eps);
                String what = dtype + " n=" + n + " eps=" + eps;
                assertClose(want[1].toDoubleArray(), got[1].toDoubleArray(), EPS, 0, what + " rstd");
                double out = outputUlp(dtype);
                assertClose(want[0].toDoubleArray(), got[0].toDoubleArray(), 3 * EPS + out, 0, what + " out");
            }
        }
    }

    /**
     * gradX of two 8,192-wide rows and of 1,500 rows of 16 (three rows per work-group), F32 and BF16.
     * gradX = r (g - xhat mean(g xhat)): 64 eps of the row's largest |gradX|. gradWeight sums each
     * chunk's rows in float and the chunks in double: 8 eps of the sum of |dy xhat|, which is the
     * reference's gradWeight of |dy| and |x|.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F64"})
    void backwardOfWideRowsAndManyRowsMatchesTheReference(DType dtype) {
        for (long[] shape : new long[][] {{2, FEATURES}, {1500, 16}}) {
            long n = shape[1];
            Tensor x = randn(7, dtype, shape);
            Tensor dy = randn(8, dtype, shape);
            Tensor w = randn(9, dtype, n);
            Tensor rstd = rmsNorm(x.to(REF), w.to(REF), 1e-5)[1];
            Tensor[] want = rmsNormBackward(dy.to(REF), x.to(REF), w.to(REF), rstd);
            Tensor[] got = rmsNormBackward(dy.to(CL), x.to(CL), w.to(CL), rstd.to(CL));
            Tensor magnitude = rmsNormBackward(dy.abs().to(REF), x.abs().to(REF), w.to(REF), rstd)[1];
            double eps = dtype == DType.F64 ? 0x1p-52 : EPS;
            double out = outputUlp(dtype);
            String what = dtype + " " + Arrays.toString(shape);
            assertRowwiseClose(want[0].toDoubleArray(), got[0].toDoubleArray(), (int) n, 64 * eps + out, what + " gradX");
            double[] bound = magnitude.toDoubleArray();
            double[] wantW = want[1].toDoubleArray();
            double[] gotW = got[1].toDoubleArray();
            for (int j = 0; j < n; j++) {
                double allowed = 8 * eps * bound[j] + out * Math.abs(wantW[j]);
                assertTrue(Math.abs(gotW[j] - wantW[j]) <= allowed, what + " gradWeight[" + j + "] is " + gotW[j]
                        + ", want " + wantW[j] + " within " + allowed);
            }
        }
    }

    // ---------------------------------------------------------------- determinism

    @Test
    void aSecondRunGivesTheSameBits() {
        Tensor logits = wideLogits(DType.F32, true, CL);
        Tensor ids = Tensor.of(new long[] {1, 7, 49_000, 3}, 4).to(CL);
        Tensor g = Tensor.of(new float[] {1, 2, 3, 4}, 4).to(CL);
        Tensor x = randn(10, DType.F32, 1500, 16).to(CL);
        Tensor dy = randn(11, DType.F32, 1500, 16).to(CL);
        Tensor w = randn(12, DType.F32, 16).to(CL);
        Tensor wide = randn(13, DType.F32, 3, FEATURES).to(CL);
        Tensor wideW = randn(14, DType.F32, FEATURES).to(CL);
        List<float[]> first = runAll(logits, ids, g, x, dy, w, wide, wideW);
        List<float[]> second = runAll(logits, ids, g, x, dy, w, wide, wideW);
        for (int k = 0; k < first.size(); k++) {
            float[] a = first.get(k);
            float[] b = second.get(k);
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "output " + k + " element " + i);
            }
        }
    }

    private static List<float[]> runAll(Tensor logits, Tensor ids, Tensor g, Tensor x, Tensor dy, Tensor w, Tensor wide,
            Tensor wideW) {
        Tensor[] ce = crossEntropy(logits, ids, -100);
        Tensor gradLogits = crossEntropyBackward(g, logits, ids, ce[1], -100);
        Tensor[] norm = rmsNorm(x, w, 1e-6);
        Tensor[] grads = rmsNormBackward(dy, x, w, norm[1]);
        Tensor[] wideNorm = rmsNorm(wide, wideW, 1e-6);
        return List.of(ce[0].toFloatArray(), ce[1].toFloatArray(), gradLogits.toFloatArray(), norm[0].toFloatArray(),
                norm[1].toFloatArray(), grads[0].toFloatArray(), grads[1].toFloatArray(), wideNorm[0].toFloatArray(),
                wideNorm[1].toFloatArray());
    }

    // ---------------------------------------------------------------- comparisons

    /**
     * One ulp of a BF16 or F16 output relative to its value (at most 2^-7 and 2^-10): the reference
     * rounds the exact value once, opencl a float within a few eps of it, so they may differ by one.
     */
    private static double outputUlp(DType dtype) {
        return switch (dtype) {
            case BF16 -> 0x1p-7;
            case F16 -> 0x1p-10;
            default -> 0;
        };
    }

    private static List<Double> boxed(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    /** NaN meets NaN, an infinity the same infinity, else |got - want| <= relative |want| + absolute. */
    private static void assertClose(double[] want, double[] got, double relative, double absolute, String what) {
        assertEquals(want.length, got.length, what + ": lengths");
        for (int i = 0; i < want.length; i++) {
            double w = want[i];
            double g = got[i];
            boolean ok = Double.isNaN(w) ? Double.isNaN(g)
                    : Double.isInfinite(w) ? w == g
                    : Math.abs(g - w) <= relative * Math.abs(w) + absolute;
            int at = i;
            assertTrue(ok, () -> what + ": element " + at + " is " + g + ", want " + w);
        }
    }

    /** Row by row of n: |got - want| <= tolerance times the row's largest |want|. */
    private static void assertRowwiseClose(double[] want, double[] got, int n, double tolerance, String what) {
        for (int start = 0; start < want.length; start += n) {
            double scale = 0;
            for (int i = start; i < start + n; i++) {
                scale = Math.max(scale, Math.abs(want[i]));
            }
            assertClose(Arrays.copyOfRange(want, start, start + n),
                    Arrays.copyOfRange(got, start, start + n), 0, tolerance * scale, what + " row " + start / n);
        }
    }
}
