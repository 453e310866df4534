package dev.tessera.bench;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The fixed cost of one op call, where the arithmetic is nothing: a 1-element {@code add} ([1] +
 * [1]) and the {@code sum} of a 0-d tensor. What this measures is argument checks, broadcasting,
 * output allocation and dispatch to the backend: the overhead that dominates small MoE layers,
 * optimizer steps on scalars and autograd bookkeeping. The baseline is one Java float addition,
 * the floor of what any call can cost in this harness.
 *
 * <p>Units: nanoseconds per call.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TinyOpBench extends KernelBench {
    private Tensor a;
    private Tensor b;
    private Tensor scalar;
    private float af;
    private float bf;

    @Setup
    public void setup(BenchmarkParams params) {
        Generator generator = new Generator(18);
        a = Tensor.randn(generator, 1);
        b = Tensor.randn(generator, 1);
        scalar = Tensor.randn(generator);
        af = a.toFloatArray()[0];
        bf = b.toFloatArray()[0];
        switch (Verify.method(params)) {
            case "add1" -> Verify.close("add1", add1(), Verify.reference(a).add(Verify.reference(b)), 0, 0);
            case "sum0d" -> Verify.close("sum0d", sum0d(), Verify.reference(scalar).sum(), 0, 0);
            case "plainAdd" -> Verify.close("plainAdd", new float[] {plainAdd()}, Verify.reference(a).add(Verify.reference(b)), 0, 0);
            default -> throw new IllegalStateException("TinyOpBench: no check for " + params.getBenchmark());
        }
    }

    @Benchmark
    public Tensor add1() {
        return a.add(b);
    }

    @Benchmark
    public Tensor sum0d() {
        return scalar.sum();
    }

    /** Reads the fields each call (JMH keeps it from folding the sum into a constant). */
    @Benchmark
    public float plainAdd() {
        return af + bf;
    }
}
