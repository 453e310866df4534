package dev.tessera.tests.moe.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.demo.charts.ExpertsChart;
import dev.tessera.moe.demo.charts.LoadChart;
import dev.tessera.moe.demo.charts.LossChart;
import dev.tessera.moe.demo.metrics.LoadCurves;
import dev.tessera.moe.demo.metrics.LossCurves;
import dev.tessera.moe.demo.metrics.RoutingCounts;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three pictures are PNGs of the stated size, drawn without a display, with no temporary file left. */
class ChartsTest {
    @TempDir
    Path folder;

    private static BufferedImage read(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image != null, png + " is a readable image");
        return image;
    }

    private void assertOnlyFiles(String... names) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(List.of(names), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void lossChart() throws IOException {
        double nan = Double.NaN;
        LossCurves curves = new LossCurves(List.of("arithmetic", "grammar", "never seen"), new long[] {1, 2, 3, 4},
                new double[][] {{5.5, 4, nan, 2}, {5.6, 5, 4.5, 4}, {nan, nan, nan, nan}}, new long[] {2, 4},
                new double[][] {{4.2, 2.2}, {5.1, 4.1}, {nan, nan}});
        Path png = folder.resolve("loss.png");
        LossChart.write(png, curves);
        BufferedImage image = read(png);
        assertEquals(LossChart.WIDTH, image.getWidth());
        assertEquals(LossChart.HEIGHT, image.getHeight());
        assertOnlyFiles("loss.png");
    }

    @Test
    void expertsChartTilesOneHeatmapPerLayer() throws IOException {
        long[][] layer = {{10, 0, 0, 0}, {1, 1, 1, 1}};
        RoutingCounts counts = new RoutingCounts(List.of("arithmetic", "grammar"), 4, new long[][][] {layer, layer, layer});
        Path png = folder.resolve("experts.png");
        ExpertsChart.write(png, counts);
        BufferedImage image = read(png);
        assertEquals(2 * ExpertsChart.PANEL_WIDTH, image.getWidth(), "three layers in two columns");
        assertEquals(2 * ExpertsChart.PANEL_HEIGHT, image.getHeight());

        RoutingCounts one = new RoutingCounts(List.of("text"), 2, new long[][][] {{{0, 0}}});
        ExpertsChart.write(png, one);
        assertEquals(ExpertsChart.PANEL_WIDTH, read(png).getWidth(), "one layer, one panel; nothing routed is drawn too");
        assertOnlyFiles("experts.png");
    }

    @Test
    void loadChartDrawsEveryRunPerLayer() throws IOException {
        LoadCurves bias = new LoadCurves("bias", new long[] {1, 2, 3}, new double[][] {{2, 1.5, 1.1}, {3, 1.4, 1.2}});
        LoadCurves none = new LoadCurves("none", new long[] {1, 2, 3}, new double[][] {{2, 2.5, 3.1}, {3, 3.4, 3.2}});
        Path png = folder.resolve("load.png");
        LoadChart.write(png, List.of(bias, none));
        BufferedImage image = read(png);
        assertEquals(2 * LoadChart.PANEL_WIDTH, image.getWidth());
        assertEquals(LoadChart.PANEL_HEIGHT, image.getHeight());
        assertThrows(IllegalArgumentException.class, () -> LoadChart.write(png, List.of()));
        LoadCurves oneLayer = new LoadCurves("x", new long[] {1}, new double[][] {{1}});
        assertThrows(IllegalArgumentException.class, () -> LoadChart.write(png, List.of(bias, oneLayer)));
        assertOnlyFiles("load.png");
    }
}
