package dev.tessera.tests.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Init;
import dev.tessera.nn.Linear;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Init draws: bounds hold exactly (up to float rounding of the bound itself) and sample mean and
 * std lie within 5 standard errors of the distribution's. For n samples of a distribution with
 * variance v and fourth central moment m4, se(mean) = sqrt(v / n) and se(var) = sqrt((m4 - v^2) / n).
 */
class InitTest {
    private static final int N = 20_000;

    @Test
    void normalHasTheGivenStd() {
        double std = 0.02;
        double[] x = Init.normal(new Generator(30), std, 100, N / 100).toDoubleArray();
        double var = std * std;
        assertMoments(x, 0, var, 3 * var * var);
    }

    @Test
    void kaimingUniformWithSqrt5IsOneOverSqrtFanIn() {
        long fanIn = 64;
        double bound = 1 / Math.sqrt(fanIn);
        assertEquals(bound, Init.kaimingBound(Math.sqrt(5), fanIn), 1e-15);
        assertUniform(Init.kaimingUniform(new Generator(31), Math.sqrt(5), N / 64, 64), bound);
        // a = 0 (ReLU): sqrt(2) * sqrt(3 / fanIn) = sqrt(6 / fanIn)
        assertUniform(Init.kaimingUniform(new Generator(32), 0, N / 64, 64), Math.sqrt(6.0 / fanIn));
    }

    @Test
    void kaimingFanInCountsTheReceptiveField() {
        // weight [out=8, in=3, 5, 5]: fanIn = 75
        assertUniform(Init.kaimingUniform(new Generator(33), Math.sqrt(5), 8 * 10, 3, 5, 5), 1 / Math.sqrt(75));
    }

    @Test
    void xavierUniformUsesBothFans() {
        long out = 100;
        long in = 200;
        assertUniform(Init.xavierUniform(new Generator(34), 1, out, in), Math.sqrt(6.0 / (in + out)));
        assertUniform(Init.xavierUniform(new Generator(35), 2, out, in), 2 * Math.sqrt(6.0 / (in + out)));
    }

    @Test
    void linearDefaultsMatchPyTorch() {
        long in = 400;
        Linear layer = new Linear(in, 60, true, new Generator(36));
        assertUniform(layer.weight().value(), 1 / Math.sqrt(in));
        double[] bias = layer.bias().value().toDoubleArray();
        for (double b : bias) {
            assertTrue(Math.abs(b) <= 1 / Math.sqrt(in) * (1 + 1e-6), "bias " + b);
        }
    }

    @Test
    void sameGeneratorStateSameDraws() {
        assertArrayEquals(Init.normal(new Generator(37), 1, 10).toFloatArray(),
                Init.normal(new Generator(37), 1, 10).toFloatArray());
    }

    @Test
    void badArgumentsAreRefused() {
        var ex = assertThrows(IllegalArgumentException.class, () -> Init.kaimingUniform(new Generator(38), 0, 5));
        assertTrue(ex.getMessage().contains("Init.kaimingUniform") && ex.getMessage().contains("[5]"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Init.normal(new Generator(39), -1, 5));
        assertThrows(IllegalArgumentException.class, () -> Init.uniform(new Generator(40), Double.NaN, 5));
    }

    /** Every sample within [-b, b], the extremes near b, and U(-b, b)'s mean 0, variance b^2/3, m4 b^4/5. */
    private static void assertUniform(Tensor t, double bound) {
        double[] x = t.toDoubleArray();
        double max = 0;
        for (double v : x) {
            max = Math.max(max, Math.abs(v));
        }
        // F32 rounding of the product may reach the float nearest to the bound, never further.
        assertTrue(max <= bound * (1 + 1e-6), "max |x| " + max + " above the bound " + bound);
        assertTrue(max >= bound * (1 - 20.0 / x.length), "max |x| " + max + " far below the bound " + bound);
        double var = bound * bound / 3;
        assertMoments(x, 0, var, Math.pow(bound, 4) / 5);
    }

    private static void assertMoments(double[] x, double mean, double var, double m4) {
        int n = x.length;
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        double sampleMean = sum / n;
        double sq = 0;
        for (double v : x) {
            sq += (v - mean) * (v - mean);
        }
        double sampleVar = sq / n;
        double seMean = Math.sqrt(var / n);
        double seVar = Math.sqrt((m4 - var * var) / n);
        assertTrue(Math.abs(sampleMean - mean) < 5 * seMean, "mean " + sampleMean + " vs " + mean + " (se " + seMean + ")");
        assertTrue(Math.abs(sampleVar - var) < 5 * seVar, "variance " + sampleVar + " vs " + var + " (se " + seVar + ")");
    }
}
