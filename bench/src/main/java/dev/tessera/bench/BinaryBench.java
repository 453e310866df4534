package dev.tessera.bench;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Elementwise {@code add} and {@code mul} of an F32 matrix {@code a} of shape [N, D] with a second
 * operand in three layouts: the same shape ({@code SAME}), a bias row [D] broadcast over the rows
 * ({@code ROW_BROADCAST}, as in a linear layer's bias add), and a transposed view of a [D, N]
 * matrix ({@code TRANSPOSED}, the strided path: b is read down its columns). The baseline is a
 * plain Java loop over {@code float[]} doing the same add in the same layout.
 *
 * <p>Shapes: 256x256 (256 KiB per operand, in L2), 1024x1024 (4 MiB, around L3) and 4096x4096
 * (64 MiB, main memory).
 *
 * <p>Units: microseconds per call. A call writes N * D floats and reads N * D floats of a plus
 * N * D (SAME, TRANSPOSED) or D (ROW_BROADCAST) of b: GB/s = 4 * (elements read + written) / time.
 * Tessera's call includes allocating its output; the baseline writes into an array allocated once
 * and runs on one thread.
 */
public class BinaryBench extends KernelBench {
    /** How the second operand is laid out in memory. */
    public enum Layout { SAME, ROW_BROADCAST, TRANSPOSED }

    @Param({"256x256", "1024x1024", "4096x4096"})
    public String shape;

    @Param
    public Layout layout;

    private int rows;
    private int cols;
    private Tensor a;
    private Tensor b;
    private float[] as;
    /** b's elements in its storage order: [N, D], [D], or [D, N] for TRANSPOSED. */
    private float[] bs;
    private float[] out;

    @Setup
    public void setup(BenchmarkParams params) {
        long[] dims = Dims.parse(shape);
        rows = (int) dims[0];
        cols = (int) dims[1];
        Generator generator = new Generator(12);
        a = Tensor.randn(generator, rows, cols);
        b = switch (layout) {
            case SAME -> Tensor.randn(generator, rows, cols);
            case ROW_BROADCAST -> Tensor.randn(generator, cols);
            case TRANSPOSED -> Tensor.randn(generator, cols, rows).t();
        };
        as = a.toFloatArray();
        bs = layout == Layout.TRANSPOSED ? b.t().toFloatArray() : b.toFloatArray();
        out = new float[rows * cols];
        Tensor aRef = Verify.reference(a);
        Tensor bRef = Verify.reference(b);
        switch (Verify.method(params)) {
            case "add" -> Verify.close("add", add(), aRef.add(bRef), 0, 0);
            case "mul" -> Verify.close("mul", mul(), aRef.mul(bRef), 0, 0);
            case "plainAdd" -> Verify.close("plainAdd", plainAdd(), aRef.add(bRef), 0, 0);
            default -> throw new IllegalStateException("BinaryBench: no check for " + params.getBenchmark());
        }
    }

    @Benchmark
    public Tensor add() {
        return a.add(b);
    }

    @Benchmark
    public Tensor mul() {
        return a.mul(b);
    }

    /** The same add as plain loops, one per layout, reading b where it lies. */
    @Benchmark
    public float[] plainAdd() {
        switch (layout) {
            case SAME -> {
                for (int i = 0; i < rows * cols; i++) {
                    out[i] = as[i] + bs[i];
                }
            }
            case ROW_BROADCAST -> {
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        out[r * cols + c] = as[r * cols + c] + bs[c];
                    }
                }
            }
            case TRANSPOSED -> {
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        out[r * cols + c] = as[r * cols + c] + bs[c * rows + r];
                    }
                }
            }
        }
        return out;
    }
}
