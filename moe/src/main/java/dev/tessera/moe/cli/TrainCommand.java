package dev.tessera.moe.cli;

import dev.tessera.moe.demo.console.ConsoleSummary;
import dev.tessera.moe.demo.data.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera train}: checks the flags, runs {@link Actions#train}, prints where the report is. */
@Command(name = "train", description = "Train a DeepSeek-style MoE transformer and write its run folder:"
        + " checkpoints, loss.png, experts.png, load.png and report.md.", sortOptions = false)
final class TrainCommand implements Callable<Integer> {
    private static final DateTimeFormatter RUN_NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Actions actions;
    private final Clock clock;

    @Spec
    CommandSpec spec;

    static final class Model {
        @Option(names = "--config", paramLabel = "FILE", description = "The model, a Hugging Face style config.json"
                + " (batch, learning rate and steps come from the small preset; --steps overrides the steps).")
        Path config;

        @Option(names = "--preset", paramLabel = "tiny|small", converter = Preset.Converter.class,
                description = "A built-in size (default: tiny).")
        Preset preset;
    }

    @ArgGroup(exclusive = true)
    Model model;

    @Option(names = "--data", paramLabel = "synthetic|text:PATH", defaultValue = "synthetic",
            converter = DataSourceConverter.class,
            description = "The project's generated corpus (default), or a UTF-8 file or folder of files.")
    DataSource data;

    @Option(names = "--steps", paramLabel = "N", description = "Steps to train (default: the preset's).")
    Long steps;

    @Option(names = "--device", paramLabel = "cpu|opencl", defaultValue = "cpu", converter = DeviceChoice.Converter.class,
            description = "Where to train (default: cpu).")
    DeviceChoice device;

    @Option(names = "--balance", paramLabel = "bias|aux|none", defaultValue = "bias", converter = Balance.Converter.class,
            description = "Expert load balancing: the bias update (default), the sequence-wise loss, or none.")
    Balance balance;

    @Option(names = "--compare-balance", paramLabel = "bias|aux|none", converter = Balance.Converter.class,
            description = "Also train a twin with this other balancing (same model, data, seed and steps, no"
                    + " checkpoints; about twice the time): load.png draws both, report.md compares them.")
    Balance compareBalance;

    @Option(names = "--out", paramLabel = "DIR",
            description = "The run folder (default: runs/<timestamp>/, or the resumed one).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its last checkpoint.")
    Path resume;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    TrainCommand(Actions actions, Clock clock) {
        this.actions = actions;
        this.clock = clock;
    }

    @Override
    public Integer call() throws Exception {
        ModelChoice choice = Preset.TINY;
        if (model != null && model.config != null) {
            FlagChecks.file(spec, "--config", model.config);
            choice = new ModelChoice.ConfigFile(model.config);
        } else if (model != null && model.preset != null) {
            choice = model.preset;
        }
        if (steps != null) {
            FlagChecks.atLeastOne(spec, "--steps", steps);
        }
        if (resume != null) {
            FlagChecks.folder(spec, "--resume", resume);
        }
        if (compareBalance == balance) {
            throw FlagChecks.error(spec, "--compare-balance " + compareBalance.flag() + ": the run itself uses --balance "
                    + balance.flag() + "; compare with another setting");
        }
        if (compareBalance != null && resume != null) {
            throw FlagChecks.error(spec, "--compare-balance cannot go with --resume: the twin trains from step 0,"
                    + " the resumed run's load history starts at its checkpoint");
        }
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            throw FlagChecks.error(spec, "--out " + out + ": exists and is not a folder");
        }
        Path runFolder = out != null ? out
                : resume != null ? resume
                : Path.of("runs", LocalDateTime.now(clock).format(RUN_NAME));
        TrainRequest request = new TrainRequest(choice, data, steps == null ? OptionalLong.empty() : OptionalLong.of(steps),
                device, balance, runFolder, Optional.ofNullable(resume), Optional.ofNullable(compareBalance));
        TrainOutcome outcome = actions.train(request);
        for (String line : ConsoleSummary.lines(outcome.report(), outcome.finalEvalLoss(), outcome.tokensPerSecond())) {
            spec.commandLine().getOut().println(line);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
