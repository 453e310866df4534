package dev.tessera.tests.nn.optim;

import static dev.tessera.tests.nn.optim.SgdTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tessera.nn.Parameter;
import dev.tessera.nn.optim.GradClip;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Clipping by the global norm: the returned norm, the exact scale, and when nothing changes. */
class GradClipTest {
    @Test
    void scalesEveryGradientByTheSameFactor() {
        Parameter a = Fixtures.param(0, 0);
        Parameter b = Fixtures.param(0, 0, 0);
        Parameter none = Fixtures.param(0);
        Fixtures.setGrad(a, 3, 4);
        Fixtures.setGrad(b, 0, 12, 0);
        // sqrt(9 + 16 + 144) = 13
        double norm = GradClip.clipByGlobalNorm(List.of(a, b, none), 6.5);
        assertEquals(13.0, norm, 0.0);
        double scale = 6.5 / (13.0 + 1e-6);
        assertArrayEquals(new double[] {3 * scale, 4 * scale}, a.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {0, 12 * scale, 0}, b.grad().toDoubleArray(), 0.0);
        assertNull(none.grad());
    }

    @Test
    void gradientsUnderTheLimitAreLeftAlone() {
        Parameter a = Fixtures.param(0, 0);
        Fixtures.setGrad(a, 3, 4);
        Tensor before = a.grad();
        assertEquals(5.0, GradClip.clipByGlobalNorm(List.of(a), 100.0), 0.0);
        assertSame(before, a.grad());
    }

    @Test
    void aNormAtTheLimitIsStillScaledByTheEpsilon() {
        // As in PyTorch, the 1e-6 in the denominator makes the scale just below 1 at the limit.
        Parameter a = Fixtures.param(0, 0);
        Fixtures.setGrad(a, 3, 4);
        assertEquals(5.0, GradClip.clipByGlobalNorm(List.of(a), 5.0), 0.0);
        double scale = 5.0 / (5.0 + 1e-6);
        assertArrayEquals(new double[] {3 * scale, 4 * scale}, a.grad().toDoubleArray(), 0.0);
    }

    @Test
    void float32GradientsKeepTheirDtype() {
        Parameter a = new Parameter(Tensor.zeros(DType.F32, 2));
        a.value().setGrad(Tensor.of(new float[] {30, 40}, 2));
        assertEquals(50.0, GradClip.clipByGlobalNorm(List.of(a), 1.0), 0.0);
        assertEquals(DType.F32, a.grad().dtype());
        assertArrayEquals(new double[] {0.6, 0.8}, a.grad().toDoubleArray(), 1e-7);
    }

    @Test
    void aNonFiniteNormIsReturnedAndChangesNothing() {
        Parameter a = Fixtures.param(0, 0);
        Fixtures.setGrad(a, Double.POSITIVE_INFINITY, 1);
        Tensor before = a.grad();
        assertEquals(Double.POSITIVE_INFINITY, GradClip.clipByGlobalNorm(List.of(a), 1.0));
        assertSame(before, a.grad());
    }

    @Test
    void badMaxNormIsRefused() {
        assertMessage(() -> GradClip.clipByGlobalNorm(List.of(), 0), "clipByGlobalNorm", "maxNorm");
        assertMessage(() -> GradClip.clipByGlobalNorm(List.of(), Double.NaN), "clipByGlobalNorm", "maxNorm");
    }
}
