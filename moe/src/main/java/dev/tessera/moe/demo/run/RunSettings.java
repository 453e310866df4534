package dev.tessera.moe.demo.run;

import dev.tessera.moe.MoeConfig;

/**
 * Everything a training run needs besides the data and the balancing: the model and the schedule.
 *
 * @param model the model's shape and routing
 * @param rows B, sequences per batch
 * @param length T, tokens per sequence (at least 63: a synthetic sample has up to 64 tokens)
 * @param steps optimizer steps
 * @param peakLr the learning rate after warm-up; a cosine takes it to a tenth at the end
 * @param warmupSteps linear warm-up from 0
 * @param weightDecay AdamW's decoupled decay, on the parameters {@link dev.tessera.nn.optim.ParamGroups#decayAndNoDecay} decays
 * @param clipNorm the global gradient norm is clipped to this
 * @param evalEvery evaluate on the held-out split every this many steps (and at the end)
 * @param evalSamples held-out samples per evaluation
 * @param checkpointEvery save a checkpoint every this many steps (and at the end)
 * @param answersPerKind held-out prompts per scored kind the final evaluation answers greedily
 * @param seed the weights' and the data's seed
 */
public record RunSettings(MoeConfig model, int rows, int length, long steps, double peakLr, long warmupSteps,
        double weightDecay, double clipNorm, long evalEvery, int evalSamples, long checkpointEvery, int answersPerKind,
        long seed) {
    public RunSettings {
        if (rows < 1 || length < 63 || steps < 1 || !(peakLr > 0) || warmupSteps < 0 || evalEvery < 1
                || evalSamples < 1 || checkpointEvery < 1 || answersPerKind < 0 || !(clipNorm > 0)) {
            throw new IllegalArgumentException("RunSettings: need rows >= 1, length >= 63, steps >= 1, peakLr > 0,"
                    + " warmupSteps >= 0, clipNorm > 0, evalEvery, evalSamples, checkpointEvery >= 1, got rows=" + rows
                    + ", length=" + length + ", steps=" + steps + ", peakLr=" + peakLr + ", warmupSteps=" + warmupSteps
                    + ", clipNorm=" + clipNorm + ", evalEvery=" + evalEvery + ", evalSamples=" + evalSamples
                    + ", checkpointEvery=" + checkpointEvery);
        }
    }

    /** The same run for {@code n} steps, its warm-up at most a tenth of them. */
    public RunSettings withSteps(long n) {
        return new RunSettings(model, rows, length, n, peakLr, Math.min(warmupSteps, n / 10), weightDecay, clipNorm,
                evalEvery, evalSamples, checkpointEvery, answersPerKind, seed);
    }

    /** The same run with another model. */
    public RunSettings withModel(MoeConfig config) {
        return new RunSettings(config, rows, length, steps, peakLr, warmupSteps, weightDecay, clipNorm, evalEvery,
                evalSamples, checkpointEvery, answersPerKind, seed);
    }
}
