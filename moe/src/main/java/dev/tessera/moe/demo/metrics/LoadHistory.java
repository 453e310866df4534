package dev.tessera.moe.demo.metrics;

import dev.tessera.moe.ExpertLoad;
import java.util.ArrayList;
import java.util.List;

/** Records each MoE layer's max-load / mean-load per step; {@link #curves()} is the chart's input. */
public final class LoadHistory {
    private final String run;
    private final int layers;
    private final List<Long> steps = new ArrayList<>();
    private final List<double[]> ratios = new ArrayList<>();

    public LoadHistory(String run, int layers) {
        if (layers < 1) {
            throw new IllegalArgumentException("LoadHistory: need at least one MoE layer, got " + layers);
        }
        this.run = run;
        this.layers = layers;
    }

    /** One step's loads, one per MoE layer in order (e.g. each layer's step total from RoutingStats). */
    public void add(long step, List<ExpertLoad> perLayer) {
        if (perLayer.size() != layers) {
            throw new IllegalArgumentException("LoadHistory.add: " + perLayer.size() + " loads for " + layers + " layers");
        }
        steps.add(step);
        ratios.add(perLayer.stream().mapToDouble(ExpertLoad::maxOverMean).toArray());
    }

    public LoadCurves curves() {
        double[][] byLayer = new double[layers][steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            for (int l = 0; l < layers; l++) {
                byLayer[l][i] = ratios.get(i)[l];
            }
        }
        return new LoadCurves(run, steps.stream().mapToLong(Long::longValue).toArray(), byLayer);
    }
}
