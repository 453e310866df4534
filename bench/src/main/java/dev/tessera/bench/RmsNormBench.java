package dev.tessera.bench;

import dev.tessera.autograd.Node;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The fused RMSNorm over the rows of a contiguous F32 [4096, 1024] (a batch of tokens of a 1024-wide
 * model): {@code forward} is {@link Fused#rmsNorm}, {@code forwardBackward} that and the gradient
 * kernel {@link Fused#rmsNormBackward} (what a training step runs, without autograd's bookkeeping),
 * against plain single-threaded loops over {@code float[]} doing the same passes.
 *
 * <p>Bytes per call, with R x C = 4096 x 1024 floats (16 MiB) per matrix: the forward reads x and w
 * and writes y, 8 RC + 4 C bytes (33.6 MB); the backward reads dy, x, w and r and writes dx and dw,
 * 12 RC + 8 C + 4 R bytes (50.4 MB); forwardBackward moves both, 20 RC + 12 C + 4 R (83.9 MB).
 * GB/s = bytes / time. {@code copy}, a copy of x into a fresh tensor (8 RC bytes, the forward's
 * traffic through the same allocator), is the memory ceiling measured in the same run.
 */
public class RmsNormBench extends KernelBench {
    private static final int ROWS = 4096;
    private static final int COLS = 1024;
    private static final double EPS = 1e-6;

    private Tensor x;
    private Tensor w;
    private Tensor dy;
    private Tensor rstd;
    private float[] xs;
    private float[] ws;
    private float[] dys;
    private float[] ys = new float[ROWS * COLS];
    private float[] rs = new float[ROWS];
    private float[] dxs = new float[ROWS * COLS];
    private float[] dws = new float[COLS];

    @Setup
    public void setup(BenchmarkParams params) {
        x = Tensor.randn(new Generator(21), ROWS, COLS);
        w = Tensor.randn(new Generator(22), COLS);
        dy = Tensor.randn(new Generator(23), ROWS, COLS);
        xs = x.toFloatArray();
        ws = w.toFloatArray();
        dys = dy.toFloatArray();
        Tensor recorded = Fused.rmsNorm(x.detach().requiresGrad(true), w, EPS);
        rstd = ((Node) recorded.gradNode()).output(1).detach();
        Tensor[] want = Fused.rmsNormBackward(Verify.reference(dy), Verify.reference(x), Verify.reference(w),
                rstd.to(Device.reference()));
        Tensor wantY = Fused.rmsNorm(Verify.reference(x), Verify.reference(w), EPS);
        switch (Verify.method(params)) {
            case "copy" -> Verify.close("copy", copy(), Verify.reference(x), 0, 0);
            case "forward" -> Verify.close("forward", forward(), wantY, 1e-6, 1e-5);
            case "forwardBackward" -> {
                Tensor[] got = forwardBackward();
                Verify.close("forwardBackward y", got[0], wantY, 1e-6, 1e-5);
                Verify.close("forwardBackward gradX", got[1], want[0], 1e-5, 1e-4);
                Verify.close("forwardBackward gradWeight", got[2], want[1], 1e-4, 1e-4);
            }
            case "plainForward" -> Verify.close("plainForward", plainForward(), wantY, 1e-6, 1e-5);
            case "plainForwardBackward" -> {
                plainForwardBackward();
                Verify.close("plainForwardBackward", dxs, want[0], 1e-5, 1e-4);
                // gradWeight sums 4096 rows: a single float chain errs by up to about 1e-4 relative.
                Verify.close("plainForwardBackward gradWeight", dws, want[1], 1e-3, 1e-3);
            }
            default -> throw new IllegalStateException("RmsNormBench: no check for " + params.getBenchmark());
        }
    }

    @Benchmark
    public Tensor copy() {
        return x.copy();
    }

    @Benchmark
    public Tensor forward() {
        return Fused.rmsNorm(x, w, EPS);
    }

    /** The forward, then both gradients from the rstd it saves (identical to the one taken in setup). */
    @Benchmark
    public Tensor[] forwardBackward() {
        Tensor y = Fused.rmsNorm(x, w, EPS);
        Tensor[] gradients = Fused.rmsNormBackward(dy, x, w, rstd);
        return new Tensor[] {y, gradients[0], gradients[1]};
    }

    /** Per row: the sum of squares, then the scaled row. */
    @Benchmark
    public float[] plainForward() {
        for (int r = 0; r < ROWS; r++) {
            int start = r * COLS;
            float squares = 0;
            for (int c = 0; c < COLS; c++) {
                squares += xs[start + c] * xs[start + c];
            }
            float scale = (float) (1 / Math.sqrt(squares / COLS + EPS));
            rs[r] = scale;
            for (int c = 0; c < COLS; c++) {
                ys[start + c] = ws[c] * (xs[start + c] * scale);
            }
        }
        return ys;
    }

    /** The forward loops, then per row the dot of g and xhat, dx, and dw accumulated over the rows. */
    @Benchmark
    public float[] plainForwardBackward() {
        plainForward();
        java.util.Arrays.fill(dws, 0);
        for (int r = 0; r < ROWS; r++) {
            int start = r * COLS;
            float scale = rs[r];
            float dot = 0;
            for (int c = 0; c < COLS; c++) {
                dot += dys[start + c] * ws[c] * (xs[start + c] * scale);
            }
            float mean = dot / COLS;
            for (int c = 0; c < COLS; c++) {
                float xhat = xs[start + c] * scale;
                dws[c] += dys[start + c] * xhat;
                dxs[start + c] = scale * (dys[start + c] * ws[c] - xhat * mean);
            }
        }
        return dxs;
    }
}
