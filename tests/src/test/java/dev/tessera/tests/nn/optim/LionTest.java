package dev.tessera.tests.nn.optim;

import static dev.tessera.tests.nn.optim.Fixtures.GRADS;
import static dev.tessera.tests.nn.optim.Fixtures.START;
import static dev.tessera.tests.nn.optim.SgdTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.nn.Parameter;
import dev.tessera.nn.optim.Lion;
import org.junit.jupiter.api.Test;

/** Lion's first steps against the paper's algorithm written out in double, and its argument checks. */
class LionTest {
    private static final double LR = 0.01;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.99;

    @Test
    void stepsFollowTheFormula() {
        checkThreeSteps(0.0);
        checkThreeSteps(0.5);
    }

    private static void checkThreeSteps(double wd) {
        Parameter p = Fixtures.param(START);
        Lion lion = new Lion(Fixtures.group("w", p, LR, wd), BETA1, BETA2);
        double[] expected = START.clone();
        double[] m = new double[START.length];
        for (int t = 0; t < GRADS.length; t++) {
            double[] g = GRADS[t];
            for (int i = 0; i < expected.length; i++) {
                double update = Math.signum(BETA1 * m[i] + (1 - BETA1) * g[i]);
                expected[i] -= LR * (update + wd * expected[i]);
                m[i] = BETA2 * m[i] + (1 - BETA2) * g[i];
            }
            Fixtures.setGrad(p, g);
            lion.step();
            assertArrayEquals(expected, Fixtures.values(p), 1e-15, "step " + (t + 1));
        }
    }

    @Test
    void badArgumentsAreRefusedNamingLion() {
        Parameter p = Fixtures.param(START);
        assertMessage(() -> new Lion(Fixtures.group("w", p, -1e-4, 0)), "Lion", "lr");
        assertMessage(() -> new Lion(Fixtures.group("w", p, 1e-4, 0), 1.0, 0.99), "Lion", "beta1");
        assertMessage(() -> new Lion(Fixtures.group("w", p, 1e-4, 0), 0.9, -0.01), "Lion", "beta2");
    }
}
