package dev.tessera.bench;

import dev.tessera.autograd.Grad;
import dev.tessera.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's own cost per node, on a chain of {@code ops} multiplications of tiny tensors
 * ({@code size} elements), where the arithmetic is negligible:
 * <ul>
 *   <li>{@code forwardGradOff}: the ops alone, nothing recorded;</li>
 *   <li>{@code forward}: the same chain recorded (then dropped);</li>
 *   <li>{@code forwardBackward}: recorded, then back-propagated into the leaf.</li>
 * </ul>
 * Each {@code mul} of a tensor that requires grad records two nodes (the expand of its operand to
 * the broadcast shape, then the mul), so the chain has {@code 2 ops + 2} nodes (sum adds a
 * reduction and its reshape). Recording cost per node = (forward - forwardGradOff) / nodes;
 * backward cost per node = (forwardBackward - forward) / nodes, which includes each rule's own ops.
 * {@code ops} is even, so the factors 2 and 0.5 cancel: setup checks the value and the gradient
 * (exactly 1) once before timing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AutogradBench {
    @Param({"10000"})
    public int ops;

    @Param({"1", "64"})
    public int size;

    private Tensor x;
    private Tensor two;
    private Tensor half;

    @Setup
    public void setup() {
        x = Tensor.full(3, size).requiresGrad(true);
        two = Tensor.full(2, size);
        half = Tensor.full(0.5, size);
        // Every pair of factors multiplies to exactly 1, so the value and the gradient are exact.
        Verify.close("forward", forward(), Verify.reference(Tensor.scalar(3.0 * size)), 0, 0);
        Verify.close("forwardBackward", forwardBackward(), Verify.reference(Tensor.ones(size)), 0, 0);
    }

    private Tensor chain() {
        Tensor h = x;
        for (int i = 0; i < ops; i++) {
            h = h.mul(i % 2 == 0 ? two : half);
        }
        return h.sum();
    }

    @Benchmark
    public Tensor forwardGradOff() {
        try (var off = Grad.off()) {
            return chain();
        }
    }

    @Benchmark
    public Tensor forward() {
        return chain();
    }

    @Benchmark
    public Tensor forwardBackward() {
        chain().backward();
        Tensor grad = x.grad();
        x.zeroGrad();
        return grad;
    }
}
