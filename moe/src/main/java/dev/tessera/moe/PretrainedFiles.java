package dev.tessera.moe;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.Json;
import dev.tessera.tensor.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads a Hugging Face checkpoint directory (config.json and the model's safetensors files) into a {@link MoeTransformer}. */
final class PretrainedFiles {
    private static final String CONFIG = "config.json";
    private static final String SINGLE = "model.safetensors";
    private static final String INDEX = "model.safetensors.index.json";

    private PretrainedFiles() {}

    static MoeTransformer load(Path dir) throws IOException {
        Path configFile = dir.resolve(CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new NoSuchFileException(configFile.toString(), null,
                    "MoeTransformer.fromPretrained: " + dir + " has no " + CONFIG);
        }
        MoeConfig config = MoeConfig.fromHfConfig(configFile);
        MoeTransformer model;
        try {
            // The weights drawn here are all overwritten: the strict load leaves none behind.
            model = new MoeTransformer(config, new Generator(0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configFile + ": " + e.getMessage(), e);
        }
        List<Path> files = weightFiles(dir);
        Map<String, Tensor> state = read(files);
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("MoeTransformer.fromPretrained: the weights in " + dir + " "
                    + names(files) + " do not fit its " + CONFIG + ": " + e.getMessage(), e);
        }
        return model;
    }

    /**
     * The weight files as Hugging Face finds them: the shards {@code model.safetensors.index.json}
     * maps the keys to, else {@code model.safetensors}. Other safetensors files in the directory
     * (another format's copy of the weights, test data) are not the model's.
     */
    private static List<Path> weightFiles(Path dir) throws IOException {
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            Path single = dir.resolve(SINGLE);
            if (!Files.isRegularFile(single)) {
                throw new NoSuchFileException(single.toString(), null,
                        "MoeTransformer.fromPretrained: " + dir + " has neither " + SINGLE + " nor " + INDEX);
            }
            return List.of(single);
        }
        if (!(Json.read(index) instanceof Map<?, ?> root) || !(root.get("weight_map") instanceof Map<?, ?> weightMap)) {
            throw new IOException(index + ": a safetensors index must be an object with a \"weight_map\" object");
        }
        Set<Path> shards = new TreeSet<>();
        for (Object shard : weightMap.values()) {
            if (!(shard instanceof String name) || name.contains("/") || name.contains("\\")) {
                throw new IOException(index + ": weight_map values must be file names in the same directory, found "
                        + Json.describe(shard));
            }
            shards.add(dir.resolve(name));
        }
        return List.copyOf(shards);
    }

    /** Every tensor of {@code files} by name; a name in two files is refused. */
    private static Map<String, Tensor> read(List<Path> files) throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        Map<String, Path> source = new LinkedHashMap<>();
        for (Path file : files) {
            for (Map.Entry<String, Tensor> entry : SafeTensors.read(file).entrySet()) {
                Path earlier = source.putIfAbsent(entry.getKey(), file);
                if (earlier != null) {
                    throw new IOException("MoeTransformer.fromPretrained: " + entry.getKey() + " is in both "
                            + earlier + " and " + file);
                }
                state.put(entry.getKey(), entry.getValue());
            }
        }
        return state;
    }

    private static List<String> names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList();
    }
}
