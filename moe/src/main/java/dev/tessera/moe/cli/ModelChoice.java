package dev.tessera.moe.cli;

import java.nio.file.Path;

/** The model to train: a named preset or a config file. */
public sealed interface ModelChoice permits Preset, ModelChoice.ConfigFile {
    /** A config file the user gave (it existed and was a file when the flags were checked). */
    record ConfigFile(Path path) implements ModelChoice {}
}
