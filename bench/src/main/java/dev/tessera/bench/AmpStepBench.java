package dev.tessera.bench;

import dev.tessera.nn.Autocast;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Losses;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One training step (zero the grads, forward, backward) of MlpStepBench's MLP built from nn
 * layers: batch 256, Linear 512 -> 2048, relu, Linear 2048 -> 512 classes, mean cross-entropy.
 * {@code f32Step} runs it in F32; {@code bf16Step} runs the forward under {@link Autocast#bf16()}:
 * the same F32 parameters, cast to BF16 in every forward, BF16 activations, the loss in F32, F32
 * gradients. Setup checks that both give the same gradients to BF16's precision.
 *
 * <p>{@code interleaved} runs both within every invocation (the order reversed every other time)
 * and adds each one's time to its own counter, so their ratio is measured in the same seconds on
 * a shared machine (see MlpStepBench). Results: bench/RESULTS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AmpStepBench {
    static final int BATCH = 256;
    static final int IN = 512;
    static final int HIDDEN = 2048;
    static final int CLASSES = 512;

    private Linear first;
    private Linear second;
    private Tensor x;
    private Tensor targets;

    /** Nanoseconds spent in each variant during one iteration of {@code interleaved}. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Split {
        public long f32Nanos;
        public long bf16Nanos;
        private boolean reversed;

        @Setup(Level.Iteration)
        public void clear() {
            f32Nanos = 0;
            bf16Nanos = 0;
        }
    }

    @Setup
    public void setup() {
        Generator g = new Generator(7);
        first = new Linear(IN, HIDDEN, true, g);
        second = new Linear(HIDDEN, CLASSES, true, g);
        x = Tensor.randn(g, BATCH, IN);
        targets = Tensor.randint(g, 0, CLASSES, BATCH);
        checkSameGradients(f32Step(), bf16Step());
    }

    /** Loss, then dW1, db1, dW2, db2, all in F32. */
    @Benchmark
    public Tensor[] f32Step() {
        return step(false);
    }

    /** Loss, then dW1, db1, dW2, db2 (F32), the forward under Autocast.bf16(). */
    @Benchmark
    public Tensor[] bf16Step() {
        return step(true);
    }

    /** f32Step and bf16Step in turn, each timed into {@code split}. */
    @Benchmark
    public void interleaved(Split split, Blackhole sink) {
        split.reversed = !split.reversed;
        if (split.reversed) {
            split.bf16Nanos += timed(sink, this::bf16Step);
            split.f32Nanos += timed(sink, this::f32Step);
        } else {
            split.f32Nanos += timed(sink, this::f32Step);
            split.bf16Nanos += timed(sink, this::bf16Step);
        }
    }

    private Tensor[] step(boolean bf16) {
        first.zeroGrad();
        second.zeroGrad();
        Tensor loss;
        if (bf16) {
            try (var amp = Autocast.bf16()) {
                loss = forward();
            }
        } else {
            loss = forward();
        }
        loss.backward();
        return new Tensor[] {loss, first.weight().grad(), first.bias().grad(), second.weight().grad(),
            second.bias().grad()};
    }

    private Tensor forward() {
        return Losses.crossEntropy(second.forward(first.forward(x).relu()), targets);
    }

    private static long timed(Blackhole sink, Supplier<Object> variant) {
        long start = System.nanoTime();
        sink.consume(variant.get());
        return System.nanoTime() - start;
    }

    /**
     * BF16 keeps 8 bits of mantissa, so the loss and dW2, db2 are off by a few parts in a
     * thousand. dW1 and db1 are off by about 4% (norm of the difference over the norm of the F32
     * gradient): the BF16 pre-activations that lie within rounding of 0 (about 0.08% of them) take
     * the other side of the relu, which passes or blocks a whole gradient entry. A broken step is
     * off by order one, so 10% catches it.
     */
    private static void checkSameGradients(Tensor[] f32, Tensor[] bf16) {
        String[] names = {"loss", "dW1", "db1", "dW2", "db2"};
        for (int t = 0; t < names.length; t++) {
            double error = Math.sqrt(bf16[t].sub(f32[t]).square().sum().item() / f32[t].square().sum().item());
            if (!(error < 0.1)) {
                throw new IllegalStateException("AmpStepBench: bf16 vs f32 " + names[t] + " differ by " + error
                        + " of the F32 norm, expected below 0.1");
            }
        }
    }
}
