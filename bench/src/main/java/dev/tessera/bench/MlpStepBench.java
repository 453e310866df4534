package dev.tessera.bench;

import dev.tessera.tensor.DType;
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
 * One training step of a 2-layer MLP on the cpu backend, F32: batch 256, 512 -> 2048 (relu) ->
 * 512 classes, mean cross-entropy; the gradients of W1, b1, W2, b2 (not of the input).
 * {@code autogradStep} is forward + {@code backward()}; {@code handWrittenStep} is the same
 * forward + the backward written out with the same Tensor ops; {@code forward} is the forward
 * alone. The autograd step over the hand-written one is what the autograd engine costs. Setup
 * checks that both steps give the same loss and gradients.
 *
 * <p>On a shared 2-core machine other tenants change the speed of a whole benchmark from one
 * minute to the next, so a ratio of two benchmarks run one after the other is mostly noise.
 * {@code interleaved} runs the three one after another within every invocation (the order
 * reversed every other time) and adds each one's time to its own counter: the counters of one
 * iteration, divided, give ratios measured in the same seconds. Results: bench/RESULTS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MlpStepBench {
    static final int BATCH = 256;
    static final int IN = 512;
    static final int HIDDEN = 2048;
    static final int CLASSES = 512;

    private Tensor x;
    private Tensor targets;
    /** W1, b1, W2, b2 for the hand-written step and the forward: nothing requires grad. */
    private Tensor[] plain;
    /** The same data as leaves that require grad, for the autograd step. */
    private Tensor[] leaves;

    /** Nanoseconds spent in each variant during one iteration of {@code interleaved}. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Split {
        public long autogradNanos;
        public long handWrittenNanos;
        public long forwardNanos;
        private boolean reversed;

        @Setup(Level.Iteration)
        public void clear() {
            autogradNanos = 0;
            handWrittenNanos = 0;
            forwardNanos = 0;
        }
    }

    @Setup
    public void setup() {
        Generator g = new Generator(7);
        x = Tensor.randn(g, BATCH, IN);
        targets = Tensor.randint(g, 0, CLASSES, BATCH);
        plain = new Tensor[] {uniform(g, IN, HIDDEN, IN), uniform(g, IN, HIDDEN), uniform(g, HIDDEN, CLASSES, HIDDEN),
            uniform(g, HIDDEN, CLASSES)};
        leaves = new Tensor[plain.length];
        for (int i = 0; i < plain.length; i++) {
            leaves[i] = plain[i].detach().requiresGrad(true);
        }
        checkSameResults(autogradStep(), handWrittenStep());
    }

    /** nn.Linear's initialisation: uniform in +-1/sqrt(fanIn). */
    private static Tensor uniform(Generator g, long fanIn, long... shape) {
        return Tensor.rand(g, shape).mul(2).sub(1).mul(1 / Math.sqrt(fanIn));
    }

    /** Loss, then dW1, db1, dW2, db2. */
    @Benchmark
    public Tensor[] autogradStep() {
        for (Tensor leaf : leaves) {
            leaf.zeroGrad();
        }
        Tensor pre = x.matmul(leaves[0].t()).add(leaves[1]);
        Tensor logits = pre.relu().matmul(leaves[2].t()).add(leaves[3]);
        Tensor loss = crossEntropy(logits);
        loss.backward();
        return new Tensor[] {loss, leaves[0].grad(), leaves[1].grad(), leaves[2].grad(), leaves[3].grad()};
    }

    /** Loss, then dW1, db1, dW2, db2, with the backward written out. */
    @Benchmark
    public Tensor[] handWrittenStep() {
        Tensor w2 = plain[2];
        Tensor pre = x.matmul(plain[0].t()).add(plain[1]);
        Tensor hidden = pre.relu();
        Tensor logits = hidden.matmul(w2.t()).add(plain[3]);
        Tensor loss = crossEntropy(logits);
        // d loss / d logits = (softmax - one_hot) / batch
        Tensor dLogits = logits.softmax(-1).sub(targets.oneHot(CLASSES).to(DType.F32)).div(BATCH);
        Tensor dW2 = dLogits.t().matmul(hidden);
        Tensor db2 = dLogits.sum(0);
        Tensor dPre = dLogits.matmul(w2).mul(pre.gt(0).to(DType.F32));
        Tensor dW1 = dPre.t().matmul(x);
        Tensor db1 = dPre.sum(0);
        return new Tensor[] {loss, dW1, db1, dW2, db2};
    }

    /** The loss alone, nothing recorded. */
    @Benchmark
    public Tensor forward() {
        Tensor hidden = x.matmul(plain[0].t()).add(plain[1]).relu();
        return crossEntropy(hidden.matmul(plain[2].t()).add(plain[3]));
    }

    /** autogradStep, handWrittenStep and forward in turn, each timed into {@code split}. */
    @Benchmark
    public void interleaved(Split split, Blackhole sink) {
        split.reversed = !split.reversed;
        if (split.reversed) {
            split.forwardNanos += timed(sink, this::forward);
            split.handWrittenNanos += timed(sink, this::handWrittenStep);
            split.autogradNanos += timed(sink, this::autogradStep);
        } else {
            split.autogradNanos += timed(sink, this::autogradStep);
            split.handWrittenNanos += timed(sink, this::handWrittenStep);
            split.forwardNanos += timed(sink, this::forward);
        }
    }

    private static long timed(Blackhole sink, Supplier<Object> variant) {
        long start = System.nanoTime();
        sink.consume(variant.get());
        return System.nanoTime() - start;
    }

    private Tensor crossEntropy(Tensor logits) {
        return logits.logSoftmax(-1).gather(1, targets.unsqueeze(1)).mean().neg();
    }

    /**
     * Both steps compute the same float32 math in a different order, so they agree to rounding:
     * within 1e-4 relative, plus 1e-4 of the tensor's largest element for entries that cancel
     * to near zero. A wrong step is off by order one.
     */
    private static void checkSameResults(Tensor[] autograd, Tensor[] handWritten) {
        String[] names = {"loss", "dW1", "db1", "dW2", "db2"};
        for (int t = 0; t < names.length; t++) {
            double scale = handWritten[t].abs().max().item();
            Verify.close("MlpStepBench: autograd vs hand-written " + names[t], autograd[t], handWritten[t], 1e-4 * scale, 1e-4);
        }
    }
}
