package dev.tessera.moe.demo.console;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The last two lines a training run prints: where the report is, and the two numbers that matter. */
public final class ConsoleSummary {
    private ConsoleSummary() {}

    public static List<String> lines(Path report, double finalEvalLoss, double tokensPerSecond) {
        return List.of(
                "Report: " + report.toAbsolutePath().normalize() + " (the pictures beside it)",
                String.format(Locale.ROOT, "Final eval loss %.4f nats per byte, %,.0f tokens/s", finalEvalLoss,
                        tokensPerSecond));
    }
}
