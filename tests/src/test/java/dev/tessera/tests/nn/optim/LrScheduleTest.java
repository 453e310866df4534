package dev.tessera.tests.nn.optim;

import static dev.tessera.tests.nn.optim.SgdTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.nn.optim.LrSchedule;
import org.junit.jupiter.api.Test;

/** Schedule values at the key steps, and refused arguments. */
class LrScheduleTest {
    @Test
    void constantIsConstant() {
        LrSchedule schedule = LrSchedule.constant(3e-4);
        assertEquals(3e-4, schedule.lr(0));
        assertEquals(3e-4, schedule.lr(1_000_000));
    }

    @Test
    void warmupThenCosineHitsTheKeyValues() {
        LrSchedule schedule = LrSchedule.warmupCosine(1e-3, 100, 1100, 1e-4);
        assertEquals(0.0, schedule.lr(0));
        assertEquals(0.5e-3, schedule.lr(50), 1e-18);
        assertEquals(1e-3, schedule.lr(100), 1e-18);
        // Half way through the decay the cosine term is 0: the mean of peak and floor.
        assertEquals(0.55e-3, schedule.lr(600), 1e-15);
        // A quarter of the way: floor + (peak - floor) * (1 + cos(pi/4)) / 2.
        assertEquals(1e-4 + 0.9e-3 * (1 + Math.sqrt(0.5)) / 2, schedule.lr(350), 1e-15);
        assertEquals(1e-4, schedule.lr(1100), 1e-18);
        assertEquals(1e-4, schedule.lr(5000));
    }

    @Test
    void decayIsMonotoneAfterWarmup() {
        LrSchedule schedule = LrSchedule.warmupCosine(1.0, 10, 50, 0.0);
        for (long step = 1; step < 60; step++) {
            double previous = schedule.lr(step - 1);
            double current = schedule.lr(step);
            if (step <= 10) {
                assertEquals(step / 10.0, current, 1e-15);
            } else if (current > previous) {
                throw new AssertionError("lr rose at step " + step + ": " + previous + " -> " + current);
            }
        }
    }

    @Test
    void noWarmupStartsAtThePeak() {
        assertEquals(2.0, LrSchedule.warmupCosine(2.0, 0, 10, 0.0).lr(0));
    }

    @Test
    void badArgumentsAreRefused() {
        assertMessage(() -> LrSchedule.constant(-1), "LrSchedule.constant", "lr");
        assertMessage(() -> LrSchedule.constant(Double.NaN), "LrSchedule.constant", "lr");
        assertMessage(() -> LrSchedule.warmupCosine(-1, 10, 100, 0), "warmupCosine", "peak");
        assertMessage(() -> LrSchedule.warmupCosine(1, 10, 100, 2), "warmupCosine", "floor");
        assertMessage(() -> LrSchedule.warmupCosine(1, 10, 100, -0.1), "warmupCosine", "floor");
        assertMessage(() -> LrSchedule.warmupCosine(1, -1, 100, 0), "warmupCosine", "warmupSteps");
        assertMessage(() -> LrSchedule.warmupCosine(1, 100, 100, 0), "warmupCosine", "totalSteps");
        assertMessage(() -> LrSchedule.warmupCosine(1, 10, 100, 0).lr(-1), "LrSchedule", "step");
        assertMessage(() -> LrSchedule.constant(1).lr(-1), "LrSchedule", "step");
    }
}
