package dev.tessera.moe.demo.console;

import java.time.Duration;

/** A duration as a person reads a time left: {@code 45s}, {@code 3m07s}, {@code 1h02m09s}. */
final class Eta {
    private Eta() {}

    static String format(Duration duration) {
        long seconds = Math.max(0, (duration.toMillis() + 500) / 1000);
        long hours = seconds / 3600;
        long minutes = seconds % 3600 / 60;
        long rest = seconds % 60;
        if (hours > 0) {
            return String.format("%dh%02dm%02ds", hours, minutes, rest);
        }
        return minutes > 0 ? String.format("%dm%02ds", minutes, rest) : rest + "s";
    }
}
