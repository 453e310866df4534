package dev.tessera.bench.peers;

import dev.tessera.moe.MoeTransformer;
import dev.tessera.moe.cli.Balance;
import dev.tessera.moe.cli.Preset;
import dev.tessera.moe.demo.data.Batch;
import dev.tessera.moe.demo.data.Batcher;
import dev.tessera.moe.demo.data.SyntheticCorpus;
import dev.tessera.moe.demo.run.ConfigJson;
import dev.tessera.moe.demo.run.Presets;
import dev.tessera.moe.demo.run.RunSettings;
import dev.tessera.moe.demo.run.TrainStep;
import dev.tessera.nn.optim.ParamGroups;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.Json;
import dev.tessera.tensor.io.Npy;
import dev.tessera.tensor.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's training step ({@code make demo}'s model) against the same model in PyTorch
 * (bench/peers/demo_throughput.py). Unlike the kernels, this case writes the peer's inputs rather
 * than reading them, because the model and the data are Tessera's: setup builds the preset's model
 * from its seed, takes the first {@code batches} training batches of the synthetic corpus, and
 * writes into the case folder
 * <ul>
 *   <li>{@code input_ids.npy}, {@code targets.npy}: I64 [N, B, T], the targets -100 where none;
 *   <li>{@code model.safetensors}: the initial state dict under its Hugging Face names;
 *   <li>{@code config.json}: the model's Hugging Face config;
 *   <li>{@code train.json}: the AdamW learning rate (the preset's peak, held constant), weight decay,
 *       the parameters without decay, the clipping norm.
 * </ul>
 * Each run is one {@link TrainStep} (the demo's, bias balancing) on the next batch, in turn; its
 * output {@code loss} [1] is the step's mean cross-entropy, from before the update.
 */
final class DemoTrainStepCase extends PeerCases.Computed {
    private final TrainStep step;
    private final List<Batch> batches;
    private final double lr;
    private int next;

    private DemoTrainStepCase(TrainStep step, List<Batch> batches, double lr) {
        this.step = step;
        this.batches = batches;
        this.lr = lr;
    }

    /** Params: {@code preset=tiny|small}, {@code batches=N}. */
    static PeerCase create(Path dir, Map<String, String> params) throws IOException {
        String presetName = params.getOrDefault("preset", "small");
        RunSettings settings = Presets.of(Preset.valueOf(presetName.toUpperCase(Locale.ROOT)));
        int count = Integer.parseInt(params.getOrDefault("batches", "4"));
        if (count < 1) {
            throw new IllegalArgumentException("demo.train_step: batches=" + count + ", need at least 1");
        }
        Batcher batcher = new Batcher(new SyntheticCorpus(settings.seed()).train(), settings.rows(), settings.length());
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batches.add(batcher.next());
        }
        MoeTransformer model = new MoeTransformer(settings.model(), new Generator(settings.seed()));
        writeInputs(dir, settings, model, batches);
        return new DemoTrainStepCase(new TrainStep(model, settings, Balance.BIAS), batches, settings.peakLr());
    }

    @Override
    Map<String, Tensor> compute() {
        Batch batch = batches.get(next);
        next = (next + 1) % batches.size();
        return Map.of("loss", Tensor.of(new double[] {step.run(batch, lr).mean()}, 1));
    }

    private static void writeInputs(Path dir, RunSettings settings, MoeTransformer model, List<Batch> batches)
            throws IOException {
        int rows = settings.rows();
        int length = settings.length();
        long[] inputs = new long[batches.size() * rows * length];
        long[] targets = new long[inputs.length];
        for (int i = 0; i < batches.size(); i++) {
            int[] in = batches.get(i).inputs();
            int[] out = batches.get(i).targets();
            for (int j = 0; j < in.length; j++) {
                inputs[i * in.length + j] = in[j];
                targets[i * in.length + j] = out[j];
            }
        }
        Npy.write(dir.resolve("input_ids.npy"), Tensor.of(inputs, batches.size(), rows, length));
        Npy.write(dir.resolve("targets.npy"), Tensor.of(targets, batches.size(), rows, length));
        SafeTensors.write(dir.resolve("model.safetensors"), model.stateDict());
        ConfigJson.write(dir, settings.model());
        List<Object> noDecay = new ArrayList<>();
        model.namedParameters().forEach((name, p) -> {
            if (ParamGroups.skipsDecay(name, p)) {
                noDecay.add(name);
            }
        });
        Map<String, Object> train = new LinkedHashMap<>();
        train.put("lr", settings.peakLr());
        train.put("weight_decay", settings.weightDecay());
        train.put("no_decay", noDecay);
        train.put("clip_norm", settings.clipNorm());
        Json.write(dir.resolve("train.json"), train);
    }
}
