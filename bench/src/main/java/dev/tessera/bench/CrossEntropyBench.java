package dev.tessera.bench;

import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Cross-entropy of F32 logits [N, C] summed over the rows, forward alone and forward plus
 * backward to the logits: the fused kernel ({@code Fused.crossEntropy}, one read of the logits
 * forward, one read and one write backward) against the composite Losses used before it, built
 * from Tessera ops in this class: log_softmax, gather of the target, negation and the masks of
 * ignore_index (its backward runs log_softmax's and gather's rules: a zero [N, C] tensor, a
 * scatter_add into it, then exp of the saved log-softmax, a row sum and a subtraction).
 *
 * <p>Size: 2048 x 8192 (64 MiB of logits), a batch of tokens against a small vocabulary; larger
 * vocabularies (32000) take too long per call on this machine. Every target is valid (none equal
 * ignore_index -100), so both do all the work.
 *
 * <p>Units: microseconds per call. The forward reads N * C floats: GB/s = 4 N C / time. Each
 * result is checked on the first 64 rows against the reference backend before timing (rows are
 * independent, so a 64-row slice has the same losses and gradients).
 */
public class CrossEntropyBench extends KernelBench {
    private static final int IGNORE = -100;
    private static final int CHECKED_ROWS = 64;

    @Param({"2048"})
    public int rows;

    @Param({"8192"})
    public int classes;

    private Tensor logits;
    private Tensor targets;

    @Setup
    public void setup(BenchmarkParams params) {
        logits = Tensor.randn(new Generator(21), rows, classes);
        targets = Tensor.randint(new Generator(22), 0, classes, rows);
        Tensor refLogits = Verify.reference(logits.narrow(0, 0, CHECKED_ROWS).contiguous());
        Tensor refTargets = Verify.reference(targets.narrow(0, 0, CHECKED_ROWS).contiguous());
        Tensor wantLoss = composite(refLogits, refTargets);
        Tensor leaf = refLogits.requiresGrad(true);
        composite(leaf, refTargets).backward();
        Tensor wantGrad = leaf.grad();
        String method = Verify.method(params);
        switch (method) {
            case "fusedForward", "compositeForward" -> Verify.close(method, method.startsWith("fused")
                    ? fused(firstRowsOf(logits), firstRowsOf(targets))
                    : composite(firstRowsOf(logits), firstRowsOf(targets)), wantLoss, 1e-3, 1e-5);
            case "fusedForwardBackward", "compositeForwardBackward" -> {
                Tensor x = firstRowsOf(logits).requiresGrad(true);
                (method.startsWith("fused") ? fused(x, firstRowsOf(targets)) : composite(x, firstRowsOf(targets))).backward();
                Verify.close(method, x.grad(), wantGrad, 1e-6, 1e-4);
            }
            default -> throw new IllegalStateException("CrossEntropyBench: no check for " + params.getBenchmark());
        }
    }

    private static Tensor firstRowsOf(Tensor t) {
        return t.narrow(0, 0, CHECKED_ROWS).contiguous();
    }

    /** The summed loss through the fused kernel. */
    private static Tensor fused(Tensor x, Tensor t) {
        return Fused.crossEntropy(x, t, IGNORE).sum();
    }

    /** The summed loss as Losses composed it before the fused kernel. */
    private static Tensor composite(Tensor x, Tensor t) {
        Tensor ignored = t.eq(IGNORE);
        Tensor ids = t.maskedFill(ignored, 0);
        Tensor picked = x.logSoftmax(1).gather(1, ids.unsqueeze(1)).squeeze(1);
        return picked.neg().maskedFill(ignored, 0).sum();
    }

    @Benchmark
    public Tensor fusedForward() {
        return fused(logits, targets);
    }

    @Benchmark
    public Tensor compositeForward() {
        return composite(logits, targets);
    }

    @Benchmark
    public Tensor fusedForwardBackward() {
        Tensor x = logits.detach().requiresGrad(true);
        fused(x, targets).backward();
        return x.grad();
    }

    @Benchmark
    public Tensor compositeForwardBackward() {
        Tensor x = logits.detach().requiresGrad(true);
        composite(x, targets).backward();
        return x.grad();
    }
}
