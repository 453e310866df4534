package dev.tessera.bench;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Reductions of a contiguous F32 matrix x of shape [R, C]: the sum of all elements, the sum over the
 * last dim (one result per row: contiguous runs) and the max over the first dim (one result per
 * column: the reduced dim has stride C). Each has a plain Java loop as the baseline; the baseline
 * sums accumulate sequentially in float, as a naive loop does.
 *
 * <p>Shapes: 1024x1024 (4 MiB, around L3), 4096x4096 (64 MiB, main memory: the bandwidth bound)
 * and 16384x64 (4 MiB of short rows: the per-row cost of {@code sum(-1)} and a tall column
 * reduction for {@code max(0)}).
 *
 * <p>Units: microseconds per call. A call reads R * C floats; the outputs are small. So
 * elements/s = R * C / time and GB/s = 4 * R * C / time. Tessera's call includes allocating its
 * output; the baselines write into arrays allocated once and run on one thread.
 */
public class ReductionBench extends KernelBench {
    @Param({"1024x1024", "4096x4096", "16384x64"})
    public String shape;

    private int rows;
    private int cols;
    private Tensor x;
    private float[] xs;
    private float[] rowSums;
    private float[] colMax;

    @Setup
    public void setup(BenchmarkParams params) {
        long[] dims = Dims.parse(shape);
        rows = (int) dims[0];
        cols = (int) dims[1];
        x = Tensor.randn(new Generator(13), rows, cols);
        xs = x.toFloatArray();
        rowSums = new float[rows];
        colMax = new float[cols];
        Tensor ref = Verify.reference(x);
        // Float sums of n standard normals drift from the exact sum by far less than 1e-6 * n.
        double sumAllTolerance = 1e-6 * rows * cols;
        double rowTolerance = 1e-6 * cols;
        switch (Verify.method(params)) {
            case "sumAll" -> Verify.close("sumAll", sumAll(), ref.sum(), sumAllTolerance, 1e-5);
            case "sumLastDim" -> Verify.close("sumLastDim", sumLastDim(), ref.sum(-1), rowTolerance, 1e-5);
            case "maxFirstDim" -> Verify.close("maxFirstDim", maxFirstDim(), ref.max(0), 0, 0);
            case "plainSumAll" -> Verify.close("plainSumAll", new float[] {plainSumAll()}, ref.sum(), sumAllTolerance, 1e-5);
            case "plainSumLastDim" -> Verify.close("plainSumLastDim", plainSumLastDim(), ref.sum(-1), rowTolerance, 1e-5);
            case "plainMaxFirstDim" -> Verify.close("plainMaxFirstDim", plainMaxFirstDim(), ref.max(0), 0, 0);
            default -> throw new IllegalStateException("ReductionBench: no check for " + params.getBenchmark());
        }
    }

    @Benchmark
    public Tensor sumAll() {
        return x.sum();
    }

    @Benchmark
    public Tensor sumLastDim() {
        return x.sum(-1);
    }

    @Benchmark
    public Tensor maxFirstDim() {
        return x.max(0);
    }

    /** One float accumulator, in order: the loop the JIT cannot vectorise without reordering. */
    @Benchmark
    public float plainSumAll() {
        float sum = 0;
        for (int i = 0; i < rows * cols; i++) {
            sum += xs[i];
        }
        return sum;
    }

    @Benchmark
    public float[] plainSumLastDim() {
        for (int r = 0; r < rows; r++) {
            float sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += xs[r * cols + c];
            }
            rowSums[r] = sum;
        }
        return rowSums;
    }

    /** Row by row, so that memory is read in order and the inner loop runs over contiguous columns. */
    @Benchmark
    public float[] plainMaxFirstDim() {
        System.arraycopy(xs, 0, colMax, 0, cols);
        for (int r = 1; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                colMax[c] = Math.max(colMax[c], xs[r * cols + c]);
            }
        }
        return colMax;
    }
}
