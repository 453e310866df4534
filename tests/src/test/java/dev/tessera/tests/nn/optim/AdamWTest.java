package dev.tessera.tests.nn.optim;

import static dev.tessera.tests.nn.optim.Fixtures.GRADS;
import static dev.tessera.tests.nn.optim.Fixtures.START;
import static dev.tessera.tests.nn.optim.SgdTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.nn.Parameter;
import dev.tessera.nn.optim.AdamW;
import org.junit.jupiter.api.Test;

/** AdamW's first steps against the published algorithm written out in double, and its argument checks. */
class AdamWTest {
    private static final double LR = 0.01;
    private static final double BETA1 = 0.8;
    private static final double BETA2 = 0.95;
    private static final double EPS = 1e-3;

    @Test
    void stepsFollowTheFormula() {
        checkThreeSteps(0.0);
        checkThreeSteps(0.1);
    }

    private static void checkThreeSteps(double wd) {
        Parameter p = Fixtures.param(START);
        AdamW adamw = new AdamW(Fixtures.group("w", p, LR, wd), BETA1, BETA2, EPS);
        double[] expected = START.clone();
        double[] m = new double[START.length];
        double[] v = new double[START.length];
        for (int t = 1; t <= GRADS.length; t++) {
            double[] g = GRADS[t - 1];
            for (int i = 0; i < expected.length; i++) {
                expected[i] -= LR * wd * expected[i];
                m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
                v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.pow(BETA1, t));
                double vHat = v[i] / (1 - Math.pow(BETA2, t));
                expected[i] -= LR * mHat / (Math.sqrt(vHat) + EPS);
            }
            Fixtures.setGrad(p, g);
            adamw.step();
            assertArrayEquals(expected, Fixtures.values(p), 1e-14, "step " + t);
        }
    }

    @Test
    void badArgumentsAreRefusedNamingAdamW() {
        Parameter p = Fixtures.param(START);
        assertMessage(() -> new AdamW(Fixtures.group("w", p, -1e-3, 0)), "AdamW", "lr");
        assertMessage(() -> new AdamW(Fixtures.group("w", p, 1e-3, 0), 1.0, 0.999, 1e-8), "AdamW", "beta1");
        assertMessage(() -> new AdamW(Fixtures.group("w", p, 1e-3, 0), -0.1, 0.999, 1e-8), "AdamW", "beta1");
        assertMessage(() -> new AdamW(Fixtures.group("w", p, 1e-3, 0), 0.9, 1.5, 1e-8), "AdamW", "beta2");
        assertMessage(() -> new AdamW(Fixtures.group("w", p, 1e-3, 0), 0.9, 0.999, -1e-8), "AdamW", "eps");
        assertMessage(() -> new AdamW(Fixtures.group("w", p, 1e-3, Double.POSITIVE_INFINITY)), "AdamW", "weight decay");
    }
}
