package dev.tessera.moe.demo.charts;

import dev.tessera.tensor.io.AtomicFile;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** Writes charts, tiled in a grid, to one PNG, atomically, without a display. */
final class PngFile {
    static {
        // charts are drawn off screen; a server or CI machine has no display (a -D flag given wins)
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private PngFile() {}

    /**
     * {@code charts}, all of one size, tiled two to a row (a lone last one leaves its neighbour's tile
     * white); XChart's own tiling wants a full grid.
     */
    static <T extends Chart<?, ?>> void write(Path file, List<T> charts) throws IOException {
        int columns = columns(charts.size());
        int rows = rows(charts.size());
        int width = charts.getFirst().getWidth();
        int height = charts.getFirst().getHeight();
        BufferedImage sheet = new BufferedImage(columns * width, rows * height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            for (int i = 0; i < charts.size(); i++) {
                g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), i % columns * width, i / columns * height, null);
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(sheet, "png", png);
        byte[] bytes = png.toByteArray();
        AtomicFile.write(file, channel -> {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        });
    }

    /** Columns for {@code panels} tiles: two side by side once there are several. */
    private static int columns(int panels) {
        return Math.min(panels, 2);
    }

    private static int rows(int panels) {
        return (panels + columns(panels) - 1) / columns(panels);
    }
}
