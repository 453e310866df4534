package dev.tessera.bench;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Elementwise unary ops on a contiguous F32 vector: {@code exp} (the core of softmax), {@code silu}
 * (the SwiGLU gate) and exact {@code gelu} (through erf), with plain Java loops over {@code float[]}
 * for exp and silu as the baseline.
 *
 * <p>Sizes: 1 element (the cost of a call alone), 4096 (one activation row, in L1), 2^20 (4 MiB
 * each way, around the L2 and L3 caches) and 2^24 (64 MiB each way, main memory).
 *
 * <p>Units: microseconds per call. A call reads and writes {@code size} floats: elements/s =
 * size / time, GB/s = 8 * size / time. Tessera's call includes allocating its output; the
 * baselines write into an array allocated once and run on one thread.
 */
public class UnaryBench extends KernelBench {
    @Param({"1", "4096", "1048576", "16777216"})
    public int size;

    private Tensor x;
    private float[] xs;
    private float[] out;

    @Setup
    public void setup(BenchmarkParams params) {
        x = Tensor.randn(new Generator(11), size);
        xs = x.toFloatArray();
        out = new float[size];
        Tensor ref = Verify.reference(x);
        switch (Verify.method(params)) {
            case "exp" -> Verify.close("exp", exp(), ref.exp(), 1e-6, 1e-5);
            case "silu" -> Verify.close("silu", silu(), ref.silu(), 1e-6, 1e-5);
            case "gelu" -> Verify.close("gelu", gelu(), ref.gelu(), 1e-6, 1e-5);
            case "plainExp" -> Verify.close("plainExp", plainExp(), ref.exp(), 1e-6, 1e-5);
            case "plainSilu" -> Verify.close("plainSilu", plainSilu(), ref.silu(), 1e-6, 1e-5);
            default -> throw new IllegalStateException("UnaryBench: no check for " + params.getBenchmark());
        }
    }

    @Benchmark
    public Tensor exp() {
        return x.exp();
    }

    @Benchmark
    public Tensor silu() {
        return x.silu();
    }

    @Benchmark
    public Tensor gelu() {
        return x.gelu();
    }

    /** The loop a Java user would write: Math.exp per element. */
    @Benchmark
    public float[] plainExp() {
        for (int i = 0; i < size; i++) {
            out[i] = (float) Math.exp(xs[i]);
        }
        return out;
    }

    /** x / (1 + e^-x) per element. */
    @Benchmark
    public float[] plainSilu() {
        for (int i = 0; i < size; i++) {
            float v = xs[i];
            out[i] = (float) (v / (1 + Math.exp(-v)));
        }
        return out;
    }
}
