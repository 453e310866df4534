package dev.tessera.moe.demo.charts;

import dev.tessera.tensor.io.AtomicFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
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

    /** {@code charts} in {@code rows} x {@code columns} tiles, row by row; all charts must be the same size. */
    static <T extends Chart<?, ?>> void write(Path file, List<T> charts, int rows, int columns) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(charts, rows, columns, png, BitmapEncoder.BitmapFormat.PNG);
        byte[] bytes = png.toByteArray();
        AtomicFile.write(file, channel -> {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        });
    }

    /** Columns for {@code panels} tiles: two side by side once there are several. */
    static int columns(int panels) {
        return Math.min(panels, 2);
    }

    static int rows(int panels) {
        return (panels + columns(panels) - 1) / columns(panels);
    }
}
