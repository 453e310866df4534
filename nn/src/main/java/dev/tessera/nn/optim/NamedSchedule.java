package dev.tessera.nn.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A built-in schedule: its name and settings, and the function of the step they define. */
record NamedSchedule(String name, Map<String, Number> settings, LrSchedule function) implements LrSchedule {
    NamedSchedule {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    @Override
    public double lr(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("LrSchedule.lr: the step must be >= 0, got " + step);
        }
        return function.lr(step);
    }

    @Override
    public String toString() {
        return name + settings;
    }
}
