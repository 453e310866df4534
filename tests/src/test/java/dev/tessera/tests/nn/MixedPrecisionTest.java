package dev.tessera.tests.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Autocast;
import dev.tessera.nn.Embedding;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Losses;
import dev.tessera.nn.Module;
import dev.tessera.nn.Parameter;
import dev.tessera.nn.SwiGLU;
import dev.tessera.nn.optim.AdamW;
import dev.tessera.nn.optim.ParamGroups;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A small model in BF16 under {@link Autocast} against its F32 twin: gradients, then a training run. */
class MixedPrecisionTest {
    private static final long VOCAB = 32;
    private static final long DIM = 32;

    /**
     * BF16 keeps 8 bits of mantissa: each rounding is off by at most 2^-9 (~0.002) relatively.
     * The gradient of a weight passes through about ten rounded tensors (embedding rows, three
     * projections forward and back, the SwiGLU product, the logits); 2% allows ten such errors
     * adding up (measured: 0.0025 to 0.007 per parameter), while a gradient lost, doubled or taken
     * through the wrong path is off by far more.
     */
    private static final double GRADIENT_TOLERANCE = 0.02;

    /**
     * How far the BF16 loss may stray from the F32 loss at any of the 200 steps (same start, same
     * batches; the loss falls from ln(32) ~ 3.7 to a plateau near 1.4). With F32 master weights the
     * gap stays below 0.0021 on this run; rounding the master weights to BF16 after every step
     * (training in pure BF16) widens it to 0.010, so 0.005 tells the two apart.
     */
    private static final double LOSS_GAP = 0.005;

    /** Embedding, a residual SwiGLU block, a head with bias: every layer Autocast touches. */
    static final class TinyLm extends Module {
        final Embedding embed;
        final SwiGLU mlp;
        final Linear head;

        TinyLm(Generator generator) {
            embed = register("embed", new Embedding(VOCAB, DIM, generator));
            mlp = register("mlp", new SwiGLU(DIM, 2 * DIM, generator));
            head = register("head", new Linear(DIM, VOCAB, true, generator));
        }

        Tensor forward(Tensor ids) {
            Tensor h = embed.forward(ids);
            return head.forward(h.add(mlp.forward(h)));
        }
    }

    /** The loss of one batch, its forward inside an Autocast scope of {@code compute} when not null. */
    private static Tensor loss(TinyLm model, Tensor ids, Tensor targets, DType compute) {
        if (compute == null) {
            return Losses.crossEntropy(model.forward(ids), targets);
        }
        try (var amp = Autocast.to(compute)) {
            return Losses.crossEntropy(model.forward(ids), targets);
        }
    }

    /** Each token's successor under a fixed permutation of the vocabulary: a lookup the model can learn. */
    private static Tensor successors(Tensor ids) {
        long[] next = ids.toLongArray();
        for (int i = 0; i < next.length; i++) {
            next[i] = (7 * next[i] + 3) % VOCAB;
        }
        return Tensor.of(next, ids.shape());
    }

    /**
     * The successors with a quarter of them replaced by random tokens, so the loss cannot reach 0:
     * it levels off near the labels' entropy (~1.4) and the runs are compared on a plateau, where
     * rounding noise would show, as well as on the way down.
     */
    private static Tensor noisySuccessors(Tensor ids, Generator generator) {
        long[] targets = successors(ids).toLongArray();
        long[] coins = Tensor.randint(generator, 0, 4, ids.shape()).toLongArray();
        long[] noise = Tensor.randint(generator, 0, VOCAB, ids.shape()).toLongArray();
        for (int i = 0; i < targets.length; i++) {
            if (coins[i] == 0) {
                targets[i] = noise[i];
            }
        }
        return Tensor.of(targets, ids.shape());
    }

    @Test
    void bf16GradientsAreCloseToF32Gradients() {
        TinyLm f32 = new TinyLm(new Generator(40));
        TinyLm bf16 = new TinyLm(new Generator(40));
        Tensor ids = Tensor.randint(new Generator(41), 0, VOCAB, 4, 16);
        Tensor targets = successors(ids);
        Tensor lossF32 = loss(f32, ids, targets, null);
        Tensor lossBf16 = loss(bf16, ids, targets, DType.BF16);
        assertEquals(DType.F32, lossBf16.dtype());
        lossF32.backward();
        lossBf16.backward();
        Map<String, Parameter> expected = f32.namedParameters();
        bf16.namedParameters().forEach((name, p) -> {
            assertEquals(DType.F32, p.grad().dtype(), name);
            Tensor want = expected.get(name).grad();
            double error = norm(p.grad().sub(want)) / norm(want);
            assertTrue(error < GRADIENT_TOLERANCE, name + ": relative error " + error);
        });
    }

    @Test
    void aBf16TrainingRunTracksItsF32Twin() {
        int steps = 200;
        double[] curveF32 = train(null, steps);
        double[] curveBf16 = train(DType.BF16, steps);
        double worst = 0;
        for (int i = 0; i < steps; i++) {
            worst = Math.max(worst, Math.abs(curveBf16[i] - curveF32[i]));
        }
        assertTrue(worst < LOSS_GAP, "the BF16 loss strayed " + worst + " from the F32 loss");
        for (double[] curve : new double[][] {curveF32, curveBf16}) {
            double plateau = mean(curve, steps - 20, steps);
            assertTrue(plateau < 0.5 * curve[0], "the loss went from " + curve[0] + " to " + plateau);
        }
    }

    /** The losses of {@code steps} AdamW steps from the same start and the same batches, computing in {@code compute}. */
    private static double[] train(DType compute, int steps) {
        TinyLm model = new TinyLm(new Generator(50));
        AdamW optimizer = new AdamW(ParamGroups.decayAndNoDecay(model, 3e-3, 0.01));
        Generator batches = new Generator(51);
        double[] losses = new double[steps];
        for (int i = 0; i < steps; i++) {
            Tensor ids = Tensor.randint(batches, 0, VOCAB, 8, 16);
            Tensor loss = loss(model, ids, noisySuccessors(ids, batches), compute);
            optimizer.zeroGrad();
            loss.backward();
            optimizer.step();
            losses[i] = loss.item();
        }
        for (Parameter p : model.parameters()) {
            assertEquals(DType.F32, p.value().dtype(), "the master weights stay F32");
        }
        return losses;
    }

    private static double mean(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }

    private static double norm(Tensor t) {
        return Math.sqrt(t.square().sum().item());
    }
}
