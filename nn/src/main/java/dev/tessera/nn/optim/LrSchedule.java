package dev.tessera.nn.optim;

/**
 * The learning rate as a function of the step (0 for the first update). A training loop calls
 * {@code optimizer.setLr(schedule.lr(step))} before each {@code optimizer.step()}.
 */
@FunctionalInterface
public interface LrSchedule {
    /** The learning rate for update number {@code step} (from 0). */
    double lr(long step);

    /** The same learning rate at every step. */
    static LrSchedule constant(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("LrSchedule.constant: lr must be finite and >= 0, got " + lr);
        }
        return step -> {
            checkStep(step);
            return lr;
        };
    }

    /**
     * Linear warm-up from 0 at step 0 to {@code peak} at step {@code warmupSteps}, then a half
     * cosine from {@code peak} down to {@code floor} at step {@code totalSteps}, and {@code floor}
     * after that: {@code floor + (peak - floor) * (1 + cos(pi * progress)) / 2}.
     */
    static LrSchedule warmupCosine(double peak, long warmupSteps, long totalSteps, double floor) {
        if (!(peak >= 0) || Double.isInfinite(peak) || !(floor >= 0) || floor > peak) {
            throw new IllegalArgumentException("LrSchedule.warmupCosine: needs 0 <= floor <= peak, both finite, got peak "
                    + peak + " and floor " + floor);
        }
        if (warmupSteps < 0 || totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("LrSchedule.warmupCosine: needs 0 <= warmupSteps < totalSteps, got "
                    + warmupSteps + " and " + totalSteps);
        }
        return step -> {
            checkStep(step);
            if (step < warmupSteps) {
                return peak * step / warmupSteps;
            }
            if (step >= totalSteps) {
                return floor;
            }
            double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
            return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
        };
    }

    private static void checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("LrSchedule.lr: the step must be >= 0, got " + step);
        }
    }
}
