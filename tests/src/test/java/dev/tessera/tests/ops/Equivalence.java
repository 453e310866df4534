package dev.tessera.tests.ops;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a case on the reference and on another backend (the cpu unless said) and compares every output element:
 * NaN must meet NaN, an infinity the same infinity, integer and BOOL outputs must be equal, and
 * finite floats must lie within the op's {@link Tolerance}.
 */
final class Equivalence {
    /** Mismatches printed per failure; the count says how many there were in all. */
    private static final int SHOWN = 5;

    private Equivalence() {}

    static void check(OpCase c) {
        check(c, Device.cpu());
    }

    /** Runs the case on the reference and on {@code device} and compares the outputs. */
    static void check(OpCase c, Device device) {
        List<Tensor> want = c.run(Device.reference());
        List<Tensor> got = c.run(device);
        List<Tensor> magnitudes = c.tolerance().needsMagnitude() ? c.magnitudes() : null;
        compare(c, want, got, magnitudes, device);
    }

    static void compare(OpCase c, List<Tensor> want, List<Tensor> got, List<Tensor> magnitudes, Device device) {
        if (want.size() != got.size()) {
            throw new AssertionError(c + ": " + want.size() + " outputs on the reference, " + got.size() + " on " + device);
        }
        for (int k = 0; k < want.size(); k++) {
            compareOne(c, k, want.get(k), got.get(k), magnitudes == null ? null : magnitudes.get(k), device);
        }
    }

    private static void compareOne(OpCase c, int k, Tensor want, Tensor got, Tensor magnitude, Device device) {
        String where = c + ", output " + k;
        if (!Arrays.equals(want.shape(), got.shape()) || want.dtype() != got.dtype()) {
            throw new AssertionError(where + ": reference gave " + want.dtype() + Shapes.str(want.shape()) + ", "
                    + device + " gave " + got.dtype() + Shapes.str(got.shape()));
        }
        if (got.device() != device) {
            throw new AssertionError(where + ": the output is on " + got.device() + ", not on " + device);
        }
        List<String> mismatches = new ArrayList<>();
        int count = 0;
        if (!want.dtype().isFloating()) {
            long[] w = Elements.longs(want);
            long[] g = Elements.longs(got);
            for (int i = 0; i < w.length; i++) {
                if (w[i] != g[i]) {
                    count++;
                    note(mismatches, want, i, "want " + w[i] + ", got " + g[i]);
                }
            }
        } else {
            double[] w = Elements.doubles(want);
            double[] g = Elements.doubles(got);
            double[] m = magnitude == null ? new double[w.length] : Elements.doubles(magnitude);
            Tolerance tolerance = c.tolerance();
            boolean integral = c.integral();
            for (int i = 0; i < w.length; i++) {
                double allowed = tolerance.allowed(w[i], m[i], c.terms(), integral, want.dtype());
                if (!close(w[i], g[i], allowed)) {
                    count++;
                    note(mismatches, want, i, "want " + w[i] + ", got " + g[i] + " (|diff| " + Math.abs(w[i] - g[i])
                            + " > allowed " + allowed + ")");
                }
            }
        }
        if (count > 0) {
            throw new AssertionError(where + " on " + device + ": " + count + " of " + want.numel()
                    + " elements differ from the reference:\n  " + String.join("\n  ", mismatches));
        }
    }

    static boolean close(double want, double got, double allowed) {
        if (Double.isNaN(want) || Double.isNaN(got)) {
            return Double.isNaN(want) && Double.isNaN(got);
        }
        if (Double.isInfinite(want) || Double.isInfinite(got)) {
            return want == got;
        }
        return Math.abs(want - got) <= allowed;
    }

    private static void note(List<String> mismatches, Tensor t, int flat, String what) {
        if (mismatches.size() < SHOWN) {
            mismatches.add("at " + Arrays.toString(Shapes.unravel(flat, t.shape())) + ": " + what);
        }
    }
}
