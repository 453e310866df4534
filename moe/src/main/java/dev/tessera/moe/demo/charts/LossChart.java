package dev.tessera.moe.demo.charts;

import dev.tessera.moe.demo.metrics.LossCurves;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** {@code loss.png}: one colour per kind of data, training loss as a thin line, evaluation loss dashed with dots. */
public final class LossChart {
    public static final int WIDTH = 1000;
    public static final int HEIGHT = 600;
    private static final BasicStroke EVAL_LINE = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND,
            10f, new float[] {6f, 4f}, 0f);

    private LossChart() {}

    public static void write(Path file, LossCurves curves) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Loss per kind of data")
                .xAxisTitle("step").yAxisTitle("cross-entropy (nats per byte)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE).setMarkerSize(5);
        Color[] palette = chart.getStyler().getSeriesColors();
        double[][] train = curves.train();
        double[][] eval = curves.eval();
        for (int k = 0; k < curves.kinds().size(); k++) {
            Color colour = palette[k % palette.length];
            String kind = curves.kinds().get(k);
            XYSeries trainSeries = addFinite(chart, kind + " train", curves.trainSteps(), train[k]);
            if (trainSeries != null) {
                trainSeries.setLineColor(colour).setLineWidth(1f);
                trainSeries.setMarker(SeriesMarkers.NONE);
            }
            XYSeries evalSeries = addFinite(chart, kind + " eval", curves.evalSteps(), eval[k]);
            if (evalSeries != null) {
                evalSeries.setLineColor(colour).setLineStyle(EVAL_LINE);
                evalSeries.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(colour);
            }
        }
        PngFile.write(file, List.of(chart));
    }

    /** The series of the finite points (a kind missing from a batch leaves a NaN), or null when none is finite. */
    private static XYSeries addFinite(XYChart chart, String name, long[] steps, double[] values) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int i = 0; i < steps.length; i++) {
            if (Double.isFinite(values[i])) {
                x.add((double) steps[i]);
                y.add(values[i]);
            }
        }
        return x.isEmpty() ? null : chart.addSeries(name, x, y);
    }
}
