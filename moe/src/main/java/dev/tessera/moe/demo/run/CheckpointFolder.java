package dev.tessera.moe.demo.run;

import dev.tessera.nn.checkpoint.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the checkpoint a user means: the folder itself when it is one, else the latest of a run folder's. */
public final class CheckpointFolder {
    private CheckpointFolder() {}

    /**
     * {@code dir} when it holds a model (config.json or model.safetensors), else the latest
     * {@code step-} checkpoint under it.
     *
     * @throws NoSuchFileException naming {@code dir} when it is neither a checkpoint nor a run folder with one
     */
    public static Path resolve(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(ConfigJson.FILE_NAME)) || Files.isRegularFile(dir.resolve(Checkpoints.MODEL_FILE))) {
            return dir;
        }
        Optional<Path> latest = new Checkpoints(dir).latest();
        if (latest.isEmpty()) {
            throw new NoSuchFileException(dir.toString(), null,
                    "no checkpoint here: neither " + ConfigJson.FILE_NAME + " nor a step-* checkpoint folder");
        }
        return latest.get();
    }
}
