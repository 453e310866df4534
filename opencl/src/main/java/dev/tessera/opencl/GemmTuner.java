package dev.tessera.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the kernel configuration of each product. Per shape class (dtype, the operands' load
 * orders, the rough sizes of M, N and K, batched or not) the first product of that class times
 * every candidate that fits the device, on a corner of itself written into its own output (every
 * configuration computes the same bits, so the real run that follows overwrites it exactly), and
 * keeps the fastest. Choices are kept in memory and in a file beside the program cache, keyed by
 * device and driver, so a later JVM does not time again. On a CPU device the sample is 64 cubed
 * and there are two candidates: tuning costs a few milliseconds.
 *
 * <p>The system property {@code tessera.opencl.matmul} (a configuration's name, or {@code simple})
 * overrides the choice, for tests and benchmarks of one configuration.
 */
final class GemmTuner {
    /** Below this many multiply-adds, a product runs one work item per element without tuning. */
    private static final long SMALL_WORK = 1L << 18;
    /** Part of the tuning file's name: a new version of matmul.cl or of the candidates must not reuse old choices. */
    private static final String VERSION = "2";

    private final ClRuntime runtime;
    private final List<GemmConfig> candidates;
    /** A sample's sides are clipped to this, so a class is tuned in milliseconds. */
    private final int sampleSide;
    private final int repeats;
    private final Map<String, GemmConfig> chosen = new ConcurrentHashMap<>();
    private final Path file;
    private final Properties saved = new Properties();

    GemmTuner(ClRuntime runtime) {
        this.runtime = runtime;
        this.candidates = runtime.gpu ? GemmConfig.GPU : GemmConfig.CPU;
        this.sampleSide = runtime.gpu ? 2048 : 64;
        this.repeats = runtime.gpu ? 5 : 1;
        this.file = tuningFile(runtime);
        load();
    }

    /** The configuration to run {@code g} with; times the candidates on the first product of its class. */
    GemmConfig choose(Gemm g) {
        String forced = System.getProperty("tessera.opencl.matmul");
        if (forced != null) {
            return byName(forced);
        }
        if (g.k == 0 || (long) g.m * g.n * g.k * g.batches < SMALL_WORK || g.m < 8 || g.n < 8) {
            return GemmConfig.SIMPLE;
        }
        String key = shapeClass(g);
        GemmConfig c = chosen.get(key);
        if (c != null) {
            return c;
        }
        synchronized (this) {
            c = chosen.get(key);
            if (c == null) {
                c = fromFile(key);
            }
            if (c == null) {
                c = tune(g);
                remember(key, c);
            }
            chosen.put(key, c);
            return c;
        }
    }

    private GemmConfig tune(Gemm g) {
        int rows = Math.min(g.m, sampleSide);
        int cols = Math.min(g.n, sampleSide);
        int depth = Math.min(g.k, sampleSide);
        long cube = (long) sampleSide * sampleSide * sampleSide;
        long count = Math.max(1, Math.min(g.batches, cube / ((long) rows * cols * depth)));
        GemmConfig best = GemmConfig.SIMPLE;
        double bestSeconds = time(g, GemmConfig.SIMPLE, rows, cols, depth, count);
        for (GemmConfig c : candidates) {
            if (!c.fits(runtime, g.dtype)) {
                continue;
            }
            double seconds;
            try {
                seconds = time(g, c, rows, cols, depth, count);
            } catch (ClException e) {
                continue; // e.g. out of resources (registers) for this tile on this device: not a candidate
            }
            if (seconds < bestSeconds) {
                best = c;
                bestSeconds = seconds;
            }
        }
        return best;
    }

    /** Seconds per run of {@code c} on the sample: one untimed run (it may build the program), then the mean of the repeats. */
    private double time(Gemm g, GemmConfig c, int rows, int cols, int depth, long count) {
        g.run(runtime, c, rows, cols, depth, count);
        runtime.finish();
        long start = System.nanoTime();
        for (int r = 0; r < repeats; r++) {
            g.run(runtime, c, rows, cols, depth, count);
        }
        runtime.finish();
        return (System.nanoTime() - start) * 1e-9 / repeats;
    }

    private GemmConfig byName(String name) {
        if (name.equals(GemmConfig.SIMPLE.name())) {
            return GemmConfig.SIMPLE;
        }
        for (GemmConfig c : GemmConfig.GPU) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        for (GemmConfig c : GemmConfig.CPU) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("tessera.opencl.matmul=" + name + " names no matmul configuration");
    }

    /** dtype, load orders, a size bucket per dim (up to 128, 512, 2048, more) and batched or not. */
    private static String shapeClass(Gemm g) {
        return g.dtype + "." + (g.aKFast ? "k" : "m") + (g.bNFast ? "n" : "k") + "." + bucket(g.m) + bucket(g.n)
                + bucket(g.k) + (g.batches > 1 ? ".batched" : "");
    }

    private static int bucket(int size) {
        return size <= 128 ? 0 : size <= 512 ? 1 : size <= 2048 ? 2 : 3;
    }

    private GemmConfig fromFile(String key) {
        String name = saved.getProperty(key);
        if (name == null) {
            return null;
        }
        try {
            return byName(name);
        } catch (IllegalArgumentException e) {
            return null; // a configuration this version no longer has: tune again
        }
    }

    private void load() {
        if (file == null || !Files.isRegularFile(file)) {
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            saved.load(in);
        } catch (IOException | IllegalArgumentException e) {
            saved.clear(); // a damaged file only costs a new tuning
        }
    }

    private void remember(String key, GemmConfig c) {
        saved.setProperty(key, c.name());
        if (file == null) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                saved.store(out, "matmul tile configurations for " + runtime.deviceName + ", driver "
                        + runtime.driverVersion);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // The file only saves tuning time: a read-only or full disk must not fail the op.
        }
    }

    /** {@code $TESSERA_CACHE/opencl/matmul-<hash of device and driver>.properties}, as the program cache's folder. */
    private static Path tuningFile(ClRuntime runtime) {
        String root = System.getenv("TESSERA_CACHE");
        Path dir = root != null ? Path.of(root) : Path.of(System.getProperty("user.home"), ".cache", "tessera");
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {VERSION, runtime.platformName, runtime.deviceName, runtime.driverVersion}) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return dir.resolve("opencl").resolve("matmul-" + HexFormat.of().formatHex(sha.digest(), 0, 12) + ".properties");
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
    }
}
