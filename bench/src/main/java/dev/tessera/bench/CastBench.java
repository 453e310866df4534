package dev.tessera.bench;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Copies of a square matrix [N, N]: F32 to BF16 and back (mixed-precision storage), a contiguous
 * F32 copy, and the contiguous copy of a transposed view ({@code x.t().contiguous()}: reads down
 * columns, the copy a strided layout costs). Baselines: {@link System#arraycopy} of the same floats
 * (the memory-bandwidth ceiling for a copy) and a naive two-loop transpose over {@code float[]}.
 *
 * <p>Sizes: N = 256 (256 KiB, in L2), 1024 (4 MiB, around L3) and 4096 (64 MiB, main memory,
 * where a naive transpose misses the cache on every read).
 *
 * <p>Units: microseconds per call. Per element, F32 copies read 4 bytes and write 4, toBf16 reads
 * 4 and writes 2, fromBf16 reads 2 and writes 4: GB/s = bytes * N * N / time. Tessera's calls
 * include allocating their outputs; the baselines write into an array allocated once and run on
 * one thread.
 */
public class CastBench extends KernelBench {
    @Param({"256", "1024", "4096"})
    public int n;

    private Tensor x;
    private Tensor xBf16;
    private Tensor xT;
    private float[] xs;
    private float[] out;

    @Setup
    public void setup(BenchmarkParams params) {
        x = Tensor.randn(new Generator(19), n, n);
        xBf16 = x.to(DType.BF16);
        xT = x.t();
        xs = x.toFloatArray();
        out = new float[n * n];
        Tensor ref = Verify.reference(x);
        switch (Verify.method(params)) {
            case "toBf16" -> Verify.close("toBf16", toBf16(), ref.to(DType.BF16), 0, 0);
            case "fromBf16" -> Verify.close("fromBf16", fromBf16(), Verify.reference(xBf16).to(DType.F32), 0, 0);
            case "copy" -> Verify.close("copy", copy(), ref, 0, 0);
            case "copyTransposed" -> Verify.close("copyTransposed", copyTransposed(), ref.t(), 0, 0);
            case "plainCopy" -> Verify.close("plainCopy", plainCopy(), ref, 0, 0);
            case "plainTranspose" -> Verify.close("plainTranspose", plainTranspose(), ref.t(), 0, 0);
            default -> throw new IllegalStateException("CastBench: no check for " + params.getBenchmark());
        }
    }

    @Benchmark
    public Tensor toBf16() {
        return x.to(DType.BF16);
    }

    @Benchmark
    public Tensor fromBf16() {
        return xBf16.to(DType.F32);
    }

    @Benchmark
    public Tensor copy() {
        return x.copy();
    }

    @Benchmark
    public Tensor copyTransposed() {
        return xT.contiguous();
    }

    @Benchmark
    public float[] plainCopy() {
        System.arraycopy(xs, 0, out, 0, n * n);
        return out;
    }

    /** Writes in order and reads down the columns, as the transposed view does. */
    @Benchmark
    public float[] plainTranspose() {
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                out[r * n + c] = xs[c * n + r];
            }
        }
        return out;
    }
}
