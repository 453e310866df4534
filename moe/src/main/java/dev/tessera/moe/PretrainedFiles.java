package dev.tessera.moe;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads a Hugging Face checkpoint directory (config.json and *.safetensors) into a {@link MoeTransformer}. */
final class PretrainedFiles {
    private static final String CONFIG = "config.json";
    private static final String WEIGHTS = ".safetensors";

    private PretrainedFiles() {}

    static MoeTransformer load(Path dir) throws IOException {
        Path configFile = dir.resolve(CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new NoSuchFileException(configFile.toString(), null,
                    "MoeTransformer.fromPretrained: " + dir + " has no " + CONFIG);
        }
        MoeConfig config = MoeConfig.fromHfConfig(configFile);
        List<Path> files = weightFiles(dir);
        Map<String, Tensor> state = read(files);
        // The weights drawn here are all overwritten: the strict load leaves none behind.
        MoeTransformer model = new MoeTransformer(config, new Generator(0));
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("MoeTransformer.fromPretrained: the weights in " + dir + " "
                    + names(files) + " do not fit its " + CONFIG + ": " + e.getMessage(), e);
        }
        return model;
    }

    /** The *.safetensors files of {@code dir}, by name. */
    private static List<Path> weightFiles(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> entries = Files.list(dir)) {
            files = entries.filter(p -> p.getFileName().toString().endsWith(WEIGHTS) && Files.isRegularFile(p))
                    .sorted().toList();
        }
        if (files.isEmpty()) {
            throw new NoSuchFileException(dir.toString(), null, "MoeTransformer.fromPretrained: no *" + WEIGHTS + " file");
        }
        return files;
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
