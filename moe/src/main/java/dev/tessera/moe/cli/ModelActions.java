package dev.tessera.moe.cli;

import dev.tessera.moe.DeepSeekMoE;
import dev.tessera.moe.ExpertLoad;
import dev.tessera.moe.MoeConfig;
import dev.tessera.moe.MoeTransformer;
import dev.tessera.moe.demo.data.Batcher;
import dev.tessera.moe.demo.data.Corpus;
import dev.tessera.moe.demo.data.DataSource;
import dev.tessera.moe.demo.data.Tokens;
import dev.tessera.moe.demo.metrics.RoutingCounts;
import dev.tessera.moe.demo.report.RunReport;
import dev.tessera.moe.demo.run.CheckpointFolder;
import dev.tessera.moe.demo.run.Decoder;
import dev.tessera.moe.demo.run.Evaluation;
import dev.tessera.moe.demo.run.Presets;
import dev.tessera.moe.demo.run.RunFolder;
import dev.tessera.moe.demo.run.RunSettings;
import dev.tessera.moe.demo.run.Sampling;
import dev.tessera.moe.demo.run.Training;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.cpu.Parallel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The commands' work: training runs (on the cpu or an OpenCL device), generation and inspection of checkpoints. */
public final class ModelActions implements Actions {
    /** The held-out samples {@code inspect} routes. */
    static final int INSPECT_SAMPLES = 512;

    @Override
    public TrainOutcome train(TrainRequest request) throws IOException {
        Device device = open(request.device());
        RunSettings settings = settings(request);
        Corpus corpus = request.data().open(settings.seed(), settings.length());
        Files.createDirectories(request.out());
        Training.Result result = new Training(settings, corpus, request.balance(), device, request.out())
                .run(request.resume());
        Optional<Training.Result> twin = Optional.empty();
        if (request.compareBalance().isPresent()) {
            twin = Optional.of(Training.withoutCheckpoints(settings, corpus, request.compareBalance().get(), device)
                    .run(Optional.empty()));
        }
        Path report = RunFolder.write(request.out(), result, twin, settings, corpus, describe(request, settings));
        return new TrainOutcome(report, result.finalEvaluation().losses().overall(), result.tokensPerSecond());
    }

    @Override
    public void generate(GenerateRequest request, PrintWriter out) throws IOException {
        MoeTransformer model = MoeTransformer.fromPretrained(CheckpointFolder.resolve(request.checkpoint()));
        Sampling sampling = new Sampling(request.temperature(), request.topP(), request.seed());
        out.println(request.prompt() + new Decoder(model).continueText(request.prompt(), request.maxTokens(), sampling));
    }

    @Override
    public void inspect(InspectRequest request, PrintWriter out) throws IOException {
        Path checkpoint = CheckpointFolder.resolve(request.checkpoint());
        MoeTransformer model = MoeTransformer.fromPretrained(checkpoint);
        out.println("Checkpoint " + checkpoint);
        out.print(model);
        Corpus corpus = new DataSource.Synthetic().open(1, 64);
        Evaluation evaluation = Evaluation.run(model, corpus.kinds(),
                Batcher.all(corpus.heldOut(INSPECT_SAMPLES), 16, 64));
        out.printf(Locale.ROOT, "%nRouting of %d held-out synthetic samples (loss %.4f nats per byte):%n",
                INSPECT_SAMPLES, evaluation.losses().overall());
        RoutingCounts routing = evaluation.routing();
        List<DeepSeekMoE> layers = model.moeLayers();
        for (int l = 0; l < layers.size(); l++) {
            ExpertLoad load = evaluation.loads().get(l);
            out.printf(Locale.ROOT, "%nMoE layer %d (model.layers.%d): max/mean load %.2f, idle experts %.0f%%%n", l,
                    model.config().firstKDenseReplace() + l * model.config().moeLayerFreq(), load.maxOverMean(),
                    100 * load.idleShare());
            out.println("  expert  share of tokens  busiest kind (its share of the expert's tokens)");
            long[][] counts = routing.counts()[l];
            long all = 0;
            for (long[] row : counts) {
                for (long c : row) {
                    all += c;
                }
            }
            for (int e = 0; e < routing.experts(); e++) {
                long expertTotal = 0;
                int top = 0;
                for (int k = 0; k < counts.length; k++) {
                    expertTotal += counts[k][e];
                    top = counts[k][e] > counts[top][e] ? k : top;
                }
                out.printf(Locale.ROOT, "  %6d  %14.1f%%  %s (%.0f%%)%n", e, all == 0 ? 0 : 100.0 * expertTotal / all,
                        routing.kinds().get(top), expertTotal == 0 ? 0 : 100.0 * counts[top][e] / expertTotal);
            }
        }
    }

    /** The device, tried once: a machine without OpenCL gets a one-line error before any work starts. */
    private static Device open(DeviceChoice choice) {
        try {
            Device device = Device.of(choice.flag());
            Tensor.zeros(1).to(device).to(Device.cpu());
            return device;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--device " + choice.flag() + ": " + e.getMessage(), e);
        }
    }

    private static RunSettings settings(TrainRequest request) throws IOException {
        RunSettings settings = switch (request.model()) {
            case Preset preset -> Presets.of(preset);
            case ModelChoice.ConfigFile(Path file) -> Presets.of(Preset.SMALL).withModel(fromFile(file));
        };
        return request.steps().isPresent() ? settings.withSteps(request.steps().getAsLong()) : settings;
    }

    private static MoeConfig fromFile(Path file) throws IOException {
        MoeConfig config = MoeConfig.fromHfConfig(file);
        if (config.vocabSize() < Tokens.VOCAB_SIZE) {
            throw new IllegalArgumentException(file + ": vocab_size " + config.vocabSize() + " is below the "
                    + Tokens.VOCAB_SIZE + " byte-level tokens the demo trains on");
        }
        return config;
    }

    private static List<RunReport.Setting> describe(TrainRequest request, RunSettings s) {
        MoeConfig m = s.model();
        List<RunReport.Setting> out = new ArrayList<>();
        out.add(new RunReport.Setting("model", switch (request.model()) {
            case Preset preset -> "preset " + preset.flag();
            case ModelChoice.ConfigFile(Path file) -> "config " + file;
        }));
        out.add(new RunReport.Setting("data", request.data().toString()));
        out.add(new RunReport.Setting("balance", request.balance().flag()));
        request.compareBalance().ifPresent(other -> out.add(new RunReport.Setting("compared with", "balance "
                + other.flag() + " (a twin run, not saved)")));
        out.add(new RunReport.Setting("layers", m.numHiddenLayers() + " (first " + m.firstKDenseReplace() + " dense)"));
        out.add(new RunReport.Setting("hidden / heads / kv heads", m.hiddenSize() + " / " + m.numAttentionHeads() + " / "
                + m.numKeyValueHeads()));
        out.add(new RunReport.Setting("routed experts", m.nRoutedExperts() + " x width " + m.moeIntermediateSize()
                + ", top-" + m.numExpertsPerTok() + ", " + m.nSharedExperts() + " shared"));
        out.add(new RunReport.Setting("routing", m.scoringFunc().hfName() + ", " + m.topkMethod().hfName()
                + (m.normTopkProb() ? ", normalised weights" : "")));
        out.add(new RunReport.Setting("batch", s.rows() + " x " + s.length() + " tokens"));
        out.add(new RunReport.Setting("steps", Long.toString(s.steps())));
        out.add(new RunReport.Setting("optimizer", String.format(Locale.ROOT,
                "AdamW, lr %.1e (warm-up %d, cosine to a tenth), weight decay %.2f, clip %.1f", s.peakLr(),
                s.warmupSteps(), s.weightDecay(), s.clipNorm())));
        out.add(new RunReport.Setting("held-out answers", s.answersPerKind() + " prompts per scored kind, greedy"));
        out.add(new RunReport.Setting("device", request.device().flag()));
        out.add(new RunReport.Setting("threads", Integer.toString(Parallel.THREADS)));
        return out;
    }
}
