package dev.tessera.nn.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The learning rate as a function of the step (0 for the first update). A training loop calls
 * {@code optimizer.setLr(schedule.lr(step))} before each {@code optimizer.step()}. A schedule is a
 * pure function of the step, so a checkpoint saves the step and records the schedule's
 * {@link #name()} and {@link #settings()} beside it.
 */
@FunctionalInterface
public interface LrSchedule {
    /** The learning rate for update number {@code step} (from 0). */
    double lr(long step);

    /** A short name for checkpoints and logs: {@code constant}, {@code warmup_cosine}, or {@code custom} (a lambda). */
    default String name() {
        return "custom";
    }

    /** The arguments this schedule was made from, by name, in order; empty for a custom schedule. */
    default Map<String, Number> settings() {
        return Map.of();
    }

    /** The same learning rate at every step. */
    static LrSchedule constant(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("LrSchedule.constant: lr must be finite and >= 0, got " + lr);
        }
        return new NamedSchedule("constant", Map.of("lr", lr), step -> lr);
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
        Map<String, Number> settings = new LinkedHashMap<>();
        settings.put("peak", peak);
        settings.put("warmup_steps", warmupSteps);
        settings.put("total_steps", totalSteps);
        settings.put("floor", floor);
        return new NamedSchedule("warmup_cosine", settings, step -> {
            if (step < warmupSteps) {
                return peak * step / warmupSteps;
            }
            if (step >= totalSteps) {
                return floor;
            }
            double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
            return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
        });
    }
}
