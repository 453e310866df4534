package dev.tessera.tests.autograd.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import dev.tessera.tests.opencl.OpenClAvailable;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RMSNorm at its extremes (REFERENCE.md 7.9), on both host backends: an all-zero row, a single
 * nonzero, values of 1e-20 (whose F32 squares underflow) and 1e20 (whose F32 squares overflow:
 * the cpu backend then sums the row again in double), n = 1, and no rows at all. Values are
 * checked against the formula in double; gradients against central differences in F64 and, in
 * F32 on the cpu backend, against the F64 reference, both norm-wise relative (a plain absolute
 * floor would let the gradients of 1e20 rows, around 1e-20, pass whatever they are).
 */
class RmsNormEdgeCasesTest {
    private static final List<Device> DEVICES = List.of(Device.reference(), Device.cpu());
    /** Central differences of these smooth rows: truncation and rounding stay below 1e-8 relative. */
    private static final double NUMERIC_TOLERANCE = 1e-6;
    /** F32 against F64: a few roundings of terms that may cancel, r rounded once (as CpuGradientTest's NORM). */
    private static final double F32_TOLERANCE = 32 * 0x1p-23;

    /**
     * One row per case, with its eps; the weights are fixed. With n = 1 and eps much below x^2,
     * gradX = r g eps / (x^2 + eps) is the difference of two terms (x^2 + eps) / eps times larger,
     * which neither central differences nor F32 resolve: the n = 1 rows use eps = 0.01.
     */
    private record Row(String name, double[] x, double eps) {}

    private static final List<Row> ROWS = List.of(
            new Row("all zero", new double[] {0, 0, 0, 0, 0}, 1e-6),
            new Row("a single nonzero", new double[] {0, 0, -2.5, 0, 0}, 1e-6),
            new Row("values of 1e-20", new double[] {1e-20, -3e-20, 2e-20, 0.5e-20, -1e-20}, 1e-6),
            new Row("values of 1e20", new double[] {1e20, -3e20, 2e20, 0.5e20, -1e20}, 1e-6),
            new Row("n = 1", new double[] {-1.5}, 0.01),
            new Row("n = 1, zero", new double[] {0}, 0.01));

    private static double[] weights(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.5 + 0.25 * i;
        }
        return w;
    }

    /** y_i = w_i x_i / sqrt(mean(x^2) + eps) in double. */
    private static double[] formula(double[] x, double[] w, double eps) {
        double squares = 0;
        for (double v : x) {
            squares += v * v;
        }
        double r = 1 / Math.sqrt(squares / x.length + eps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = w[i] * x[i] * r;
        }
        return y;
    }

    @TestFactory
    Stream<DynamicTest> valuesFollowTheFormulaInF32AndBf16() {
        return formulaTests(DEVICES);
    }

    private static Stream<DynamicTest> formulaTests(List<Device> devices) {
        return ROWS.stream().flatMap(row -> devices.stream().flatMap(device -> Stream.of(DType.F32, DType.BF16)
                .map(type -> DynamicTest.dynamicTest(row.name() + " " + type + " on " + device, () -> {
                    // The formula is evaluated on the values as stored, so only the op's own error is measured.
                    Tensor x = Tensor.of(row.x(), row.x().length).to(type).to(device);
                    Tensor w = Tensor.of(weights(row.x().length), row.x().length).to(type).to(device);
                    double[] want = formula(x.toDoubleArray(), w.toDoubleArray(), row.eps());
                    double[] got = Fused.rmsNorm(x, w, row.eps()).toDoubleArray();
                    double ulp = type == DType.BF16 ? 0x1p-8 : 0x1p-23;
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i], got[i], 2 * ulp * Math.abs(want[i]), row.name() + " element " + i);
                    }
                }))));
    }

    @Test
    void eps0KeepsTinyAndHugeRowsScaleFree() {
        scaleFree(DEVICES);
    }

    private static void scaleFree(List<Device> devices) {
        for (Device device : devices) {
            for (double scale : new double[] {1e-30, 1e-20, 1, 1e20, 1e30}) {
                double[] unit = {3, -4, 0, 12};
                double[] x = Arrays.stream(unit).map(v -> v * scale).toArray();
                Tensor y = Fused.rmsNorm(Tensor.of(x, 4).to(DType.F32).to(device), Tensor.ones(4).to(device), 0);
                double rms = Math.sqrt((9 + 16 + 144) / 4.0);
                double[] want = Arrays.stream(unit).map(v -> v / rms).toArray();
                assertArrayEquals(want, y.toDoubleArray(), 4e-7, "scale " + scale + " on " + device);
            }
        }
    }

    @Test
    void anAllZeroRowGivesZeroRstdOfEpsAndTheGradientRTimesG() {
        for (Device device : DEVICES) {
            Tensor x = Tensor.zeros(2, 3).to(device).requiresGrad(true);
            Tensor w = Tensor.of(new float[] {1, 2, 3}, 3).to(device).requiresGrad(true);
            Tensor y = Fused.rmsNorm(x, w, 1e-6);
            assertArrayEquals(new float[6], y.toFloatArray(), device.toString());
            Tensor dy = Tensor.of(new float[] {1, -1, 2, 0.5f, 0, -3}, 2, 3).to(device);
            y.mul(dy).sum().backward();
            float r = (float) (1 / Math.sqrt(1e-6));
            assertArrayEquals(new float[] {r, -2 * r, 6 * r, 0.5f * r, 0, -9 * r}, x.grad().toFloatArray(), device.toString());
            assertArrayEquals(new float[3], w.grad().toFloatArray(), device.toString());
        }
    }

    @Test
    void noRowsGiveEmptyOutputsAndAZeroWeightGradient() {
        for (Device device : DEVICES) {
            Tensor x = Tensor.zeros(0, 4).to(device).requiresGrad(true);
            Tensor w = Tensor.ones(4).to(device).requiresGrad(true);
            Tensor y = Fused.rmsNorm(x, w, 1e-6);
            assertArrayEquals(new long[] {0, 4}, y.shape());
            y.sum().backward();
            assertArrayEquals(new long[] {0, 4}, x.grad().shape());
            assertArrayEquals(new float[4], w.grad().toFloatArray(), device.toString());
        }
    }

    @TestFactory
    Stream<DynamicTest> gradientsMatchCentralDifferencesAndTheCpuMatchesTheReference() {
        return ROWS.stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            int n = row.x().length;
            // Two rows: the edge row and an ordinary one, so that gradWeight sums over rows.
            double[] values = Arrays.copyOf(row.x(), 2 * n);
            for (int i = 0; i < n; i++) {
                values[n + i] = 0.3 * (i + 1) * (i % 2 == 0 ? 1 : -1);
            }
            GradInput x = new GradInput("x", new long[] {2, n}, values, GradLayout.CONTIGUOUS, true);
            GradInput w = new GradInput("weight", new long[] {n}, weights(n), GradLayout.CONTIGUOUS, true);
            GradCase c = new GradCase(Op.RMS_NORM, "eps=" + row.eps(), List.of(x, w),
                    (in, device) -> List.of(Fused.rmsNorm(in.get(0), in.get(1), row.eps())), GradCase.Step.RELATIVE, 7);
            List<double[]> reference = GradCheck.analytic(c, DType.F64, Device.reference());
            List<double[]> numeric = GradCheck.numeric(c);
            List<double[]> cpu = GradCheck.analytic(c, DType.F32, Device.cpu());
            double[][] floors = {termSizes(values, weights(n), GradCheck.weights(c, 0, 2L * n), n, row.eps()), new double[1]};
            for (int i = 0; i < 2; i++) {
                String which = row.name() + ", gradient of " + c.inputs().get(i).name();
                assertNormwiseClose(numeric.get(i), reference.get(i), n, floors[i], NUMERIC_TOLERANCE, which + " (central differences)");
                assertNormwiseClose(reference.get(i), cpu.get(i), n, floors[i], F32_TOLERANCE, which + " (cpu F32)");
            }
        }));
    }

    /**
     * Per row, the size of the terms gradX is the difference of: r max|g| (g = dy w). With n = 1,
     * gradX = r g eps / (x^2 + eps) is far smaller than them, and is only as accurate as they are.
     */
    private static double[] termSizes(double[] x, double[] w, double[] dy, int n, double eps) {
        double[] sizes = new double[x.length / n];
        for (int row = 0; row < sizes.length; row++) {
            double squares = 0;
            double g = 0;
            for (int i = 0; i < n; i++) {
                squares += x[row * n + i] * x[row * n + i];
                g = Math.max(g, Math.abs(dy[row * n + i] * w[i]));
            }
            sizes[row] = g / Math.sqrt(squares / n + eps);
        }
        return sizes;
    }

    /**
     * Row by row ({@code n} elements each): every |got - want| at most {@code tolerance} times the
     * row's scale: its largest |want| or its floor, whichever is larger, so that the tiny gradient
     * of a 1e20 row is held to its own scale.
     */
    private static void assertNormwiseClose(double[] want, double[] got, int n, double[] floors, double tolerance,
            String what) {
        for (int start = 0; start < want.length; start += n) {
            double floor = floors[Math.min(start / n, floors.length - 1)];
            double scale = Math.max(floor, Arrays.stream(want, start, start + n).map(Math::abs).max().orElse(0));
            for (int e = start; e < start + n; e++) {
                int at = e;
                assertTrue(Math.abs(got[e] - want[e]) <= tolerance * scale, () -> what + ": element " + at + " is "
                        + got[at] + ", want " + want[at] + " (row scale " + scale + "); all: " + Arrays.toString(got)
                        + " vs " + Arrays.toString(want));
            }
        }
    }

    // ---------------------------------------------------------------- the same rows on opencl (its forward kernel)

    @TestFactory
    @ExtendWith(OpenClAvailable.class)
    Stream<DynamicTest> valuesFollowTheFormulaOnOpenCl() {
        return formulaTests(List.of(Device.opencl()));
    }

    @Test
    @ExtendWith(OpenClAvailable.class)
    void eps0KeepsTinyAndHugeRowsScaleFreeOnOpenCl() {
        scaleFree(List.of(Device.opencl()));
    }
}
