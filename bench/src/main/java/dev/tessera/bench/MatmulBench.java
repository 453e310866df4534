package dev.tessera.bench;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.cpu.Gemm;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The CPU GEMM on F32 matrices: square sizes, and the MoE expert shapes (a few tokens times a
 * 512 x 1408 expert weight). Shapes are {@code MxKxN}; GFLOP/s = 2 M K N / (time per op).
 * {@code b=transposed} multiplies by the transpose of a stored N x K matrix, as a linear layer
 * does with its weight.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatmulBench {
    @Param({"64x64x64", "256x256x256", "512x512x512", "1024x1024x1024", "16x512x1408", "64x512x1408", "256x512x1408"})
    public String shape;

    @Param({"plain", "transposed"})
    public String b;

    private Tensor left;
    private Tensor right;
    private Tensor out;

    @Setup
    public void setup() {
        long[] dims = Dims.parse(shape);
        long m = dims[0];
        long k = dims[1];
        long n = dims[2];
        Generator generator = new Generator(42);
        left = Tensor.randn(generator, m, k);
        right = b.equals("transposed") ? Tensor.randn(generator, n, k).t() : Tensor.randn(generator, k, n);
        out = Tensor.empty(DType.F32, Device.cpu(), m, n);
    }

    @Benchmark
    public Tensor matmul() {
        Gemm.matmul(left, right, out);
        return out;
    }
}
