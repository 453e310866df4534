package dev.tessera.tests.autograd.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import java.util.List;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.ShrinkingMode;

/**
 * Every differentiable op, recorded or composite, against central differences: autograd's
 * gradient of L = sum_k <w_k, out_k> in F64 on the reference backend must match the numerical
 * one element by element, |analytic - numeric| <= 1e-6 max(1, |numeric|).
 *
 * <p>Why that bound holds for a correct rule: with the F64 step h = 1e-6 max(1, |v|), the
 * central difference errs by h^2 f'''/6 (below 1e-9 on these domains, which keep poles at
 * least 0.1 away) plus the rounding of the outputs over 2h (about 1e-16 |out| / 1e-6 = 1e-10
 * |out|; outputs stay below 1e3). A wrong rule misses by far more: a factor, a sign, a dropped
 * term or a misplaced element is an O(1) relative error. The check is per element, not by
 * norm, so a wrong small entry cannot hide behind large ones; the floor of 1 keeps entries
 * near zero from demanding a relative accuracy the difference cannot give. Measured over 1000
 * cases per op, correct rules stay below 3e-9; a rule off by one part in a million fails.
 */
@PropertyDefaults(tries = 300, shrinking = ShrinkingMode.OFF)
class GradCheckTest extends GroupedGradProperties {
    private static final double TOLERANCE = 1e-6;

    @Override
    void check(GradCase c) {
        List<double[]> analytic = GradCheck.analytic(c, DType.F64, Device.reference());
        List<double[]> numeric = GradCheck.numeric(c);
        assertEquals(numeric.size(), analytic.size(), c + ": one gradient per input that requires grad");
        for (int i = 0; i < numeric.size(); i++) {
            double[] a = analytic.get(i);
            double[] n = numeric.get(i);
            for (int e = 0; e < n.length; e++) {
                if (!(Math.abs(a[e] - n[e]) <= TOLERANCE * Math.max(1, Math.abs(n[e])))) {
                    throw new AssertionError(c + ": gradient " + i + " element " + e + " is " + a[e]
                            + ", central differences give " + n[e]);
                }
            }
        }
    }
}
