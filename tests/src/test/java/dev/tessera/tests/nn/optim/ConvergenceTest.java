package dev.tessera.tests.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Parameter;
import dev.tessera.nn.optim.AdamW;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.SGD;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** SGD with momentum and AdamW minimise an ill-conditioned quadratic through autograd. */
class ConvergenceTest {
    private static final double[] CENTRE = {3.0, -1.0, 0.5, 2.0};
    private static final double[] CURVATURE = {1.0, 4.0, 0.5, 10.0};

    @Test
    void sgdWithMomentumConverges() {
        Parameter x = Fixtures.param(0, 0, 0, 0);
        assertConverges(x, new SGD(Fixtures.group("x", x, 0.02, 0), 0.9, false), 300);
    }

    @Test
    void nesterovConverges() {
        Parameter x = Fixtures.param(0, 0, 0, 0);
        assertConverges(x, new SGD(Fixtures.group("x", x, 0.02, 0), 0.9, true), 300);
    }

    @Test
    void adamWConverges() {
        Parameter x = Fixtures.param(0, 0, 0, 0);
        assertConverges(x, new AdamW(Fixtures.group("x", x, 0.05, 0)), 1000);
    }

    /** f(x) = sum(c * (x - centre)^2), minimum 0 at the centre. */
    static double lossAndBackward(Parameter x) {
        Tensor loss = x.value().sub(Tensor.of(CENTRE.clone(), CENTRE.length)).square()
                .mul(Tensor.of(CURVATURE.clone(), CURVATURE.length)).sum();
        loss.backward();
        return loss.item();
    }

    private static void assertConverges(Parameter x, Optimizer optimizer, int steps) {
        double first = lossAndBackward(x);
        optimizer.step();
        for (int i = 1; i < steps; i++) {
            optimizer.zeroGrad();
            lossAndBackward(x);
            optimizer.step();
        }
        optimizer.zeroGrad();
        double last = lossAndBackward(x);
        assertTrue(last < 1e-6 * first, "loss went from " + first + " to " + last);
        assertArrayEquals(CENTRE, Fixtures.values(x), 1e-3);
    }
}
