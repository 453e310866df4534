package dev.tessera.moe.cli;

import dev.tessera.moe.demo.data.DataSource;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A checked {@code tessera train}.
 *
 * @param model the preset or config file
 * @param data the corpus
 * @param steps the steps to train; empty for the preset's or config's number
 * @param device where to run
 * @param balance how to keep the experts' load even
 * @param out the run's folder (the resumed one when resuming without {@code --out})
 * @param resume a run folder whose last checkpoint to continue from
 * @param compareBalance another balance setting to train a twin with (same model, data, seed and
 *     steps, no checkpoints) and compare in load.png and report.md; empty for no twin
 */
public record TrainRequest(ModelChoice model, DataSource data, OptionalLong steps, DeviceChoice device, Balance balance,
        Path out, Optional<Path> resume, Optional<Balance> compareBalance) {}
