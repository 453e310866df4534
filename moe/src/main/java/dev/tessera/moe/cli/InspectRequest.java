package dev.tessera.moe.cli;

import java.nio.file.Path;

/** A checked {@code tessera inspect}: the checkpoint folder (it existed when the flags were checked). */
public record InspectRequest(Path checkpoint) {}
