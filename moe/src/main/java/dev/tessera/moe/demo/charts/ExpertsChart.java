package dev.tessera.moe.demo.charts;

import dev.tessera.moe.demo.metrics.RoutingCounts;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/**
 * {@code experts.png}: for each MoE layer a heatmap, kinds of data down, routed experts across, each
 * cell the share of that kind's routed tokens the expert got. Every panel has the same colour
 * scale, 0 to the largest share in the picture, so layers compare at a glance.
 */
public final class ExpertsChart {
    public static final int PANEL_WIDTH = 720;
    public static final int PANEL_HEIGHT = 420;
    /** Zero is white, so an expert a kind never reaches disappears and the specialists stand out. */
    private static final Color[] WHITE_TO_BLUE = {Color.WHITE, new Color(0x6BAED6), new Color(0x08306B)};

    private ExpertsChart() {}

    public static void write(Path file, RoutingCounts counts) throws IOException {
        List<String> experts = IntStream.range(0, counts.experts()).mapToObj(Integer::toString).toList();
        double top = 0;
        for (int layer = 0; layer < counts.layers(); layer++) {
            for (double[] row : counts.shares(layer)) {
                for (double share : row) {
                    top = Math.max(top, share);
                }
            }
        }
        // the scale's top, rounded up to a percent so the legend reads as a short number
        double scaleTop = top > 0 ? Math.ceil(top * 100) / 100 : 1;
        List<HeatMapChart> panels = new ArrayList<>();
        for (int layer = 0; layer < counts.layers(); layer++) {
            HeatMapChart chart = new HeatMapChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                    .title("MoE layer " + layer + ": share of each kind's tokens per expert")
                    .xAxisTitle("routed expert").build();
            chart.getStyler().setMin(0).setMax(scaleTop).setRangeColors(WHITE_TO_BLUE);
            double[][] shares = counts.shares(layer);
            List<Number[]> cells = new ArrayList<>();
            for (int k = 0; k < shares.length; k++) {
                for (int e = 0; e < shares[k].length; e++) {
                    cells.add(new Number[] {e, k, shares[k][e]});
                }
            }
            chart.addSeries("share", experts, counts.kinds(), cells);
            panels.add(chart);
        }
        PngFile.write(file, panels);
    }
}
