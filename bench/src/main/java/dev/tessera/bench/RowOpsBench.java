package dev.tessera.bench;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Ops along the rows of a contiguous F32 matrix [R, C]: {@code softmax}, {@code log_softmax} and
 * {@code cumsum} over the last dim, with plain Java loops for softmax (max, exp and sum, divide:
 * three passes over each row) and cumsum as the baseline.
 *
 * <p>Row lengths: 64 (router logits over 64 experts: many short rows, where per-row overhead
 * shows), 1024 (attention scores) and 32000 (a vocabulary's logits: a row is 125 KiB, larger than
 * L1). R is chosen so that the matrix always holds about 2^22 elements (16 MiB): R = 2^22 / C,
 * i.e. 65536, 4096 and 131 rows; times per element compare across C.
 *
 * <p>Units: microseconds per call. A call reads and writes R * C floats: elements/s = R * C / time,
 * GB/s = 8 * R * C / time. Tessera's call includes allocating its output; the baselines write
 * into an array allocated once and run on one thread.
 */
public class RowOpsBench extends KernelBench {
    private static final int ELEMENTS = 1 << 22;

    @Param({"64", "1024", "32000"})
    public int cols;

    private int rows;
    private Tensor x;
    private float[] xs;
    private float[] out;

    @Setup
    public void setup(BenchmarkParams params) {
        rows = ELEMENTS / cols;
        x = Tensor.randn(new Generator(14), rows, cols);
        xs = x.toFloatArray();
        out = new float[rows * cols];
        Tensor ref = Verify.reference(x);
        // A float running sum of n standard normals stays far closer than 1e-6 * n to the exact one.
        double cumsumTolerance = 1e-6 * cols;
        switch (Verify.method(params)) {
            case "softmax" -> Verify.close("softmax", softmax(), ref.softmax(-1), 1e-7, 1e-4);
            case "logSoftmax" -> Verify.close("logSoftmax", logSoftmax(), ref.logSoftmax(-1), 1e-5, 1e-5);
            case "cumsum" -> Verify.close("cumsum", cumsum(), ref.cumsum(-1), cumsumTolerance, 1e-5);
            case "plainSoftmax" -> Verify.close("plainSoftmax", plainSoftmax(), ref.softmax(-1), 1e-7, 1e-4);
            case "plainCumsum" -> Verify.close("plainCumsum", plainCumsum(), ref.cumsum(-1), cumsumTolerance, 1e-5);
            default -> throw new IllegalStateException("RowOpsBench: no check for " + params.getBenchmark());
        }
    }

    @Benchmark
    public Tensor softmax() {
        return x.softmax(-1);
    }

    @Benchmark
    public Tensor logSoftmax() {
        return x.logSoftmax(-1);
    }

    @Benchmark
    public Tensor cumsum() {
        return x.cumsum(-1);
    }

    /** The textbook three passes per row: the max (for stability), exp and their sum, the division. */
    @Benchmark
    public float[] plainSoftmax() {
        for (int r = 0; r < rows; r++) {
            int start = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, xs[start + c]);
            }
            float sum = 0;
            for (int c = 0; c < cols; c++) {
                float e = (float) Math.exp(xs[start + c] - max);
                out[start + c] = e;
                sum += e;
            }
            float scale = 1 / sum;
            for (int c = 0; c < cols; c++) {
                out[start + c] *= scale;
            }
        }
        return out;
    }

    @Benchmark
    public float[] plainCumsum() {
        for (int r = 0; r < rows; r++) {
            int start = r * cols;
            float sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += xs[start + c];
                out[start + c] = sum;
            }
        }
        return out;
    }
}
