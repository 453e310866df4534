package dev.tessera.tests.nn.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Embedding;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Losses;
import dev.tessera.nn.Module;
import dev.tessera.nn.SwiGLU;
import dev.tessera.nn.optim.AdamW;
import dev.tessera.nn.optim.LrSchedule;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroups;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * End-to-end training: Embedding -> SwiGLU (residual) -> Linear head with cross-entropy learns
 * the next token of a fixed periodic sequence whose every token has one successor (a cycle
 * through a permutation of the vocabulary), so the best loss is 0. From seed 7 with AdamW and a
 * warm-up cosine schedule, 40 steps must bring the mean loss from about ln(12) = 2.5 below 0.05
 * and the argmax must predict every successor. A broken gradient, optimizer or loss leaves the
 * loss near 2.5.
 */
class NextTokenTrainingTest {
    private static final long VOCAB = 12;
    private static final long DIM = 16;
    /** Token t is followed by CYCLE[t]: one cycle through all twelve tokens. */
    private static final long[] CYCLE = {5, 9, 0, 7, 11, 3, 1, 10, 2, 4, 6, 8};
    private static final int STEPS = 40;
    private static final double LOSS_BOUND = 0.05;

    private static final class Model extends Module {
        final Embedding embed;
        final SwiGLU mlp;
        final Linear head;

        Model(Generator init) {
            embed = register("embed_tokens", new Embedding(VOCAB, DIM, init));
            mlp = register("mlp", new SwiGLU(DIM, 2 * DIM, init));
            head = register("lm_head", new Linear(DIM, VOCAB, false, init));
        }

        Tensor forward(Tensor ids) {
            Tensor h = embed.forward(ids);
            return head.forward(h.add(mlp.forward(h)));
        }
    }

    @Test
    void learnsThePeriodicSequenceWithinTheStepBudget() {
        long[] sequence = new long[2 * CYCLE.length + 1];
        for (int i = 1; i < sequence.length; i++) {
            sequence[i] = CYCLE[(int) sequence[i - 1]];
        }
        Tensor all = Tensor.of(sequence, sequence.length);
        Tensor inputs = all.slice(0, 0, sequence.length - 1);
        Tensor targets = all.slice(0, 1, sequence.length);

        Model model = new Model(new Generator(7));
        Optimizer optimizer = new AdamW(ParamGroups.decayAndNoDecay(model, 0, 0.01));
        LrSchedule schedule = LrSchedule.warmupCosine(0.03, 5, STEPS, 0.003);
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < STEPS; step++) {
            optimizer.setLr(schedule.lr(step));
            optimizer.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(inputs), targets);
            loss.backward();
            optimizer.step();
            last = loss.item();
            first = step == 0 ? last : first;
        }
        double finalLoss = Losses.crossEntropy(model.forward(inputs), targets).item();
        assertTrue(first > 2, "an untrained model should be near ln(12) = 2.48, got " + first);
        assertTrue(finalLoss < LOSS_BOUND, "after " + STEPS + " steps the loss is " + finalLoss + " (last step " + last
                + "), not below " + LOSS_BOUND);
        assertArrayEquals(targets.toLongArray(), model.forward(inputs).argmax(-1, false).toLongArray(), "every successor predicted");
    }
}
