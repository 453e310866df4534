package dev.tessera.moe.demo.metrics;

/**
 * One run's expert balance over training: {@code maxOverMean[l][i]}, the busiest expert's load over
 * the mean load in MoE layer {@code l} at {@code steps[i]} (1 is perfect balance;
 * {@link dev.tessera.moe.ExpertLoad#maxOverMean()}). {@code run} names it in the legend, e.g.
 * "bias" or "none".
 */
public record LoadCurves(String run, long[] steps, double[][] maxOverMean) {
    public LoadCurves {
        steps = steps.clone();
        if (maxOverMean.length == 0) {
            throw new IllegalArgumentException("LoadCurves " + run + ": no layers");
        }
        maxOverMean = Matrices.copy("LoadCurves " + run, maxOverMean, maxOverMean.length, steps.length);
    }

    public int layers() {
        return maxOverMean.length;
    }

    @Override
    public long[] steps() {
        return steps.clone();
    }

    @Override
    public double[][] maxOverMean() {
        return Matrices.copy("LoadCurves " + run, maxOverMean, maxOverMean.length, steps.length);
    }
}
