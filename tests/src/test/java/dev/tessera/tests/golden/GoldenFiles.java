package dev.tessera.tests.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tessera.tensor.Tensor;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** What the golden-file tests share: where the files are, and the norm-wise comparison with PyTorch's values. */
public final class GoldenFiles {
    private GoldenFiles() {}

    /** The committed golden file {@code name} (under test resources' {@code golden/}). */
    public static Path file(String name) {
        try {
            return Path.of(GoldenFiles.class.getResource("/golden/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("golden file " + name + " is missing from tests/src/test/resources/golden", e);
        }
    }

    /**
     * {@code |got - want| <= tol * max|want|} for every element, with a message naming the worst
     * one. Norm-wise, because an elementwise relative bound means nothing for entries that cancel
     * to near zero.
     */
    public static void assertClose(String what, double[] want, Tensor got, double tol) {
        double[] g = got.toDoubleArray();
        assertEquals(want.length, g.length, what + ": element count");
        double scale = 0;
        for (double v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        int worst = 0;
        for (int i = 0; i < g.length; i++) {
            if (Math.abs(g[i] - want[i]) > Math.abs(g[worst] - want[worst])) {
                worst = i;
            }
        }
        double error = g.length == 0 ? 0 : Math.abs(g[worst] - want[worst]);
        if (error > tol * scale) {
            fail(String.format("%s: element %d is %.9g, PyTorch says %.9g: error %.3g = %.3g * max|want| (%.3g),"
                    + " over the %.3g allowed", what, worst, g[worst], want[worst], error, error / scale, scale, tol));
        }
    }
}
