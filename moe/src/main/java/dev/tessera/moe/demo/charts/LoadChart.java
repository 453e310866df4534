package dev.tessera.moe.demo.charts;

import dev.tessera.moe.demo.metrics.LoadCurves;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code load.png}: per MoE layer, the busiest expert's load over the mean load at each step (1 is
 * perfect balance), one line per run given (e.g. with the bias update and without it).
 */
public final class LoadChart {
    public static final int PANEL_WIDTH = 720;
    public static final int PANEL_HEIGHT = 420;

    private LoadChart() {}

    /** @throws IllegalArgumentException without runs, or for runs with different numbers of layers */
    public static void write(Path file, List<LoadCurves> runs) throws IOException {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("LoadChart: no runs to draw");
        }
        int layers = runs.getFirst().layers();
        for (LoadCurves run : runs) {
            if (run.layers() != layers) {
                throw new IllegalArgumentException("LoadChart: run " + run.run() + " has " + run.layers()
                        + " MoE layers, run " + runs.getFirst().run() + " has " + layers);
            }
        }
        List<XYChart> panels = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                    .title("MoE layer " + layer + ": max load / mean load").xAxisTitle("step").yAxisTitle("max / mean")
                    .build();
            for (LoadCurves run : runs) {
                double[] steps = Arrays.stream(run.steps()).asDoubleStream().toArray();
                if (steps.length > 0) {
                    chart.addSeries(run.run(), steps, run.maxOverMean()[layer]).setMarker(SeriesMarkers.NONE);
                }
            }
            panels.add(chart);
        }
        PngFile.write(file, panels);
    }
}
