package dev.tessera.tests.nn.optim;

import static dev.tessera.tests.nn.optim.Fixtures.GRADS;
import static dev.tessera.tests.nn.optim.Fixtures.START;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Parameter;
import dev.tessera.nn.optim.SGD;
import org.junit.jupiter.api.Test;

/** SGD's first steps against PyTorch's update written out in double, and its argument checks. */
class SgdTest {
    private static final double LR = 0.1;
    private static final double MOMENTUM = 0.9;
    private static final double WD = 0.01;

    @Test
    void plainStepsFollowTheFormula() {
        checkThreeSteps(0.0, false, 0.0);
        checkThreeSteps(0.0, false, WD);
    }

    @Test
    void momentumStepsFollowTheFormula() {
        checkThreeSteps(MOMENTUM, false, 0.0);
        checkThreeSteps(MOMENTUM, false, WD);
    }

    @Test
    void nesterovStepsFollowTheFormula() {
        checkThreeSteps(MOMENTUM, true, WD);
    }

    private static void checkThreeSteps(double momentum, boolean nesterov, double wd) {
        Parameter p = Fixtures.param(START);
        SGD sgd = new SGD(Fixtures.group("w", p, LR, wd), momentum, nesterov);
        double[] expected = START.clone();
        double[] buffer = new double[START.length];
        for (int t = 0; t < GRADS.length; t++) {
            for (int i = 0; i < expected.length; i++) {
                double d = GRADS[t][i] + wd * expected[i];
                if (momentum != 0) {
                    buffer[i] = t == 0 ? d : momentum * buffer[i] + d;
                    d = nesterov ? d + momentum * buffer[i] : buffer[i];
                }
                expected[i] = expected[i] - LR * d;
            }
            Fixtures.setGrad(p, GRADS[t]);
            sgd.step();
            assertArrayEquals(expected, Fixtures.values(p), 1e-15, "step " + (t + 1));
        }
    }

    @Test
    void aStepLeavesAFreshLeafWithoutGradient() {
        Parameter p = Fixtures.param(START);
        SGD sgd = new SGD(Fixtures.group("w", p, LR, WD), MOMENTUM, false);
        Fixtures.setGrad(p, GRADS[0]);
        sgd.step();
        assertTrue(p.value().isLeaf());
        assertTrue(p.value().requiresGrad());
        assertNull(p.grad());
    }

    @Test
    void aParameterWithoutGradientIsLeftAlone() {
        Parameter p = Fixtures.param(START);
        new SGD(Fixtures.group("w", p, LR, WD), MOMENTUM, false).step();
        assertArrayEquals(START, Fixtures.values(p), 0.0);
    }

    @Test
    void badArgumentsAreRefusedNamingSgd() {
        Parameter p = Fixtures.param(START);
        assertMessage(() -> new SGD(Fixtures.group("w", p, -0.1, 0)), "SGD", "lr");
        assertMessage(() -> new SGD(Fixtures.group("w", p, Double.NaN, 0)), "SGD", "lr");
        assertMessage(() -> new SGD(Fixtures.group("w", p, 0.1, -1)), "SGD", "weight decay");
        assertMessage(() -> new SGD(Fixtures.group("w", p, 0.1, 0), 1.0, false), "SGD", "momentum");
        assertMessage(() -> new SGD(Fixtures.group("w", p, 0.1, 0), -0.5, false), "SGD", "momentum");
        assertMessage(() -> new SGD(Fixtures.group("w", p, 0.1, 0), 0.0, true), "SGD", "Nesterov");
        assertMessage(() -> new SGD(java.util.List.of()), "SGD", "group");
        SGD sgd = new SGD(Fixtures.group("w", p, 0.1, 0));
        assertMessage(() -> sgd.setLr(-1), "SGD", "lr");
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' should mention " + part);
        }
    }
}
