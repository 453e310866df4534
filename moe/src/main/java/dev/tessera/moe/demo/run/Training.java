package dev.tessera.moe.demo.run;

import dev.tessera.moe.MoeTransformer;
import dev.tessera.moe.cli.Balance;
import dev.tessera.moe.demo.console.TrainingProgress;
import dev.tessera.moe.demo.data.Batch;
import dev.tessera.moe.demo.data.Batcher;
import dev.tessera.moe.demo.data.Corpus;
import dev.tessera.moe.demo.metrics.LoadHistory;
import dev.tessera.moe.demo.metrics.LossByKind;
import dev.tessera.moe.demo.metrics.LossHistory;
import dev.tessera.nn.checkpoint.Checkpoints;
import dev.tessera.nn.optim.LrSchedule;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The training loop: {@link TrainStep}s (AdamW over decay and no-decay groups, global-norm
 * clipping, next-token cross-entropy, the balancing), the learning rate warmed up then taken by a
 * cosine to a tenth of the peak, an evaluation on
 * the held-out split every {@code evalEvery} steps and at the end, and a checkpoint (with its
 * config.json) every {@code checkpointEvery} steps and at the end ({@link #withoutCheckpoints} saves none).
 */
public final class Training {
    private final RunSettings settings;
    private final Corpus corpus;
    private final Balance balance;
    private final Device device;
    /** Where checkpoints go; empty for a run that saves none. */
    private final Optional<Path> out;

    /** A run on {@code device} that saves its checkpoints in {@code out}. */
    public Training(RunSettings settings, Corpus corpus, Balance balance, Device device, Path out) {
        this(settings, corpus, balance, device, Optional.of(out));
    }

    private Training(RunSettings settings, Corpus corpus, Balance balance, Device device, Optional<Path> out) {
        this.settings = settings;
        this.corpus = corpus;
        this.balance = balance;
        this.device = device;
        this.out = out;
    }

    /**
     * A run that saves nothing, e.g. the twin trained beside the main run only to compare balancing;
     * its {@link Result#checkpoint()} is null.
     */
    public static Training withoutCheckpoints(RunSettings settings, Corpus corpus, Balance balance, Device device) {
        return new Training(settings, corpus, balance, device, Optional.empty());
    }

    /** What a finished run hands to its report. */
    public record Result(MoeTransformer model, long steps, double tokensPerSecond, LossHistory losses, LoadHistory loads,
            double[] finalTrainLoss, Evaluation finalEvaluation, Path checkpoint) {}

    /**
     * Trains from scratch, or from the latest checkpoint in {@code resume} (a run of the same
     * settings: the weights, the optimizer's moments and the step come back, and the data stream
     * skips the batches already seen).
     */
    public Result run(Optional<Path> resume) throws IOException {
        MoeTransformer model = new MoeTransformer(settings.model(), new Generator(settings.seed()));
        model.to(device); // before the optimizer takes the parameters
        TrainStep trainStep = new TrainStep(model, settings, balance);
        Optimizer optimizer = trainStep.optimizer();
        LrSchedule schedule = LrSchedule.warmupCosine(settings.peakLr(), settings.warmupSteps(), settings.steps(),
                settings.peakLr() / 10);
        Optional<Checkpoints> checkpoints = out.map(folder -> new Checkpoints(folder).keepLast(2));
        Batcher batches = new Batcher(corpus.train(), settings.rows(), settings.length());
        long start = 0;
        if (resume.isPresent()) {
            Path from = CheckpointFolder.resolve(resume.get());
            start = Checkpoints.load(from, model, optimizer, Map.of()).step();
            if (start >= settings.steps()) {
                throw new IllegalArgumentException(from + " is at step " + start + ": nothing left of a run of "
                        + settings.steps() + " steps (give more with --steps)");
            }
            for (long skipped = 0; skipped < start; skipped++) {
                batches.next();
            }
        }
        List<Batch> heldOut = Batcher.all(corpus.heldOut(settings.evalSamples()), settings.rows(), settings.length());
        List<String> kinds = corpus.kinds();
        LossHistory losses = new LossHistory(kinds);
        LoadHistory loads = new LoadHistory(balance.flag(), model.moeLayers().size());
        LossByKind lastWindow = new LossByKind(kinds.size());
        long trainedTokens = 0;
        long trainingNanos = 0;
        // set by the last step, which always evaluates (and saves, when this run saves)
        Evaluation evaluation = null;
        Path checkpoint = null;
        try (TrainingProgress progress = TrainingProgress.forConsole(start, settings.steps())) {
            for (long step = start; step < settings.steps(); step++) {
                long began = System.nanoTime();
                Batch batch = batches.next();
                TrainStep.Loss loss = trainStep.run(batch, schedule.lr(step));
                trainingNanos += System.nanoTime() - began;
                trainedTokens += batch.targetCount();
                long done = step + 1;
                LossByKind stepLosses = new LossByKind(kinds.size());
                stepLosses.add(batch, loss.perToken());
                lastWindow.add(batch, loss.perToken());
                losses.addTrain(done, stepLosses.means());
                loads.add(done, model.lastRouting());
                double tokensPerSecond = trainedTokens / (trainingNanos / 1e9);
                progress.update(done, loss.mean(), tokensPerSecond);
                if (done % settings.evalEvery() == 0 || done == settings.steps()) {
                    evaluation = Evaluation.run(model, kinds, heldOut);
                    losses.addEval(done, evaluation.losses().means());
                }
                if (checkpoints.isPresent() && (done % settings.checkpointEvery() == 0 || done == settings.steps())) {
                    checkpoint = checkpoints.get().save(done, model, optimizer, schedule, Map.of(),
                            Map.of("balance", balance.flag()));
                    ConfigJson.write(checkpoint, settings.model());
                }
                if (done % settings.evalEvery() == 0 && done != settings.steps()) {
                    // the final train loss per kind is the mean since the last evaluation before the end
                    lastWindow = new LossByKind(kinds.size());
                }
            }
        }
        double tokensPerSecond = trainingNanos == 0 ? 0 : trainedTokens / (trainingNanos / 1e9);
        return new Result(model, settings.steps(), tokensPerSecond, losses, loads, lastWindow.means(), evaluation,
                checkpoint);
    }
}
