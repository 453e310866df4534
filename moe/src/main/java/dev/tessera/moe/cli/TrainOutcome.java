package dev.tessera.moe.cli;

import java.nio.file.Path;

/** How a training run ended: where its report is, and the two numbers that matter. */
public record TrainOutcome(Path report, double finalEvalLoss, double tokensPerSecond) {}
