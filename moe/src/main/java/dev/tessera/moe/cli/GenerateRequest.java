package dev.tessera.moe.cli;

import java.nio.file.Path;

/**
 * A checked {@code tessera generate}.
 *
 * @param checkpoint the checkpoint folder (it existed when the flags were checked)
 * @param prompt the text to continue
 * @param maxTokens at most this many new tokens (fewer when the model ends its sample)
 * @param temperature 0 for greedy decoding, above it sampling at that temperature
 * @param topP sampling keeps the most likely tokens whose probabilities sum to at least this, in (0, 1]
 * @param seed the sampling's random seed
 */
public record GenerateRequest(Path checkpoint, String prompt, int maxTokens, double temperature, double topP, long seed) {}
