package dev.tessera.tests.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Dropout;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Dropout: identity in eval and for p = 0, inverted scaling, seeded masks, gradient, bad p. */
class DropoutTest {
    @Test
    void evalAndZeroPPassTheInputThrough() {
        Tensor x = Tensor.randn(new Generator(1), 4, 5);
        Dropout dropout = new Dropout(0.5, new Generator(2));
        dropout.eval();
        assertSame(x, dropout.forward(x));
        assertSame(x, new Dropout(0, new Generator(3)).forward(x));
    }

    @Test
    void survivorsAreScaledAndTheMeanIsPreserved() {
        int n = 100_000;
        double p = 0.3;
        float[] y = new Dropout(p, new Generator(4)).forward(Tensor.ones(n)).toFloatArray();
        float kept = (float) (1 / (1 - p));
        long zeros = 0;
        double sum = 0;
        for (float v : y) {
            assertTrue(v == 0 || v == kept, "element " + v + " is neither 0 nor 1/(1-p)");
            zeros += v == 0 ? 1 : 0;
            sum += v;
        }
        // Kept count ~ Binomial(n, 1-p): the mean has std sqrt(p / ((1-p) n)) ~ 0.0021 and the
        // dropped fraction std sqrt(p (1-p) / n) ~ 0.0014; both bounds are 5 std.
        assertEquals(1.0, sum / n, 5 * Math.sqrt(p / ((1 - p) * n)));
        assertEquals(p, (double) zeros / n, 5 * Math.sqrt(p * (1 - p) / n));
    }

    @Test
    void theSameSeedGivesTheSameMask() {
        Tensor x = Tensor.randn(new Generator(5), 64);
        float[] a = new Dropout(0.5, new Generator(6)).forward(x).toFloatArray();
        float[] b = new Dropout(0.5, new Generator(6)).forward(x).toFloatArray();
        float[] c = new Dropout(0.5, new Generator(7)).forward(x).toFloatArray();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void gradientIsTheScaledMask() {
        Tensor x = Tensor.randn(new Generator(8), 50).requiresGrad(true);
        Tensor y = new Dropout(0.2, new Generator(9)).forward(x);
        y.sum().backward();
        float[] out = y.toFloatArray();
        float[] grad = x.grad().toFloatArray();
        for (int i = 0; i < out.length; i++) {
            assertEquals(out[i] == 0 ? 0f : (float) (1 / 0.8), grad[i], 1e-6, "element " + i);
        }
    }

    @Test
    void refusesPOutsideZeroToOne() {
        for (double p : new double[] {-0.1, 1, 1.5, Double.NaN}) {
            var ex = assertThrows(IllegalArgumentException.class, () -> new Dropout(p, new Generator(10)));
            assertTrue(ex.getMessage().contains("[0, 1)"), ex.getMessage());
        }
    }
}
