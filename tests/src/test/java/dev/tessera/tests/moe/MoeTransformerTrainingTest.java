package dev.tessera.tests.moe;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.MoeConfig;
import dev.tessera.moe.MoeTransformer;
import dev.tessera.nn.Losses;
import dev.tessera.nn.optim.AdamW;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroups;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A few training steps of a tiny MoE transformer (a dense layer, then an MoE layer of 8 sigmoid
 * noaux_tc experts, top-2, one shared) on a fixed periodic sequence whose every token has one
 * successor: next-token cross-entropy plus the layers' auxiliary loss, AdamW, and the
 * aux-loss-free bias update from each step's routing. From seed 11, 25 steps must bring the loss
 * from about ln(12) = 2.5 below 0.1 (it reaches 0.008), and the bias update must have moved the
 * selection bias. A gradient that does not reach the experts, the router or the attention leaves the loss
 * near 2.5.
 */
class MoeTransformerTrainingTest {
    private static final long[] CYCLE = {5, 9, 0, 7, 11, 3, 1, 10, 2, 4, 6, 8};
    private static final int STEPS = 25;

    @Test
    void lossFallsWithAdamWAndTheBiasUpdate() {
        MoeConfig config = MoeConfig.builder().vocabSize(12).hidden(16).heads(2).kvHeads(1).intermediate(32)
                .moeIntermediate(8).routedExperts(8).sharedExperts(1).topK(2).layers(2).firstKDenseReplace(1)
                .scoring(MoeConfig.ScoringFunc.SIGMOID).topkMethod(MoeConfig.TopkMethod.NOAUX_TC).normTopkProb(true)
                .biasUpdateSpeed(0.01).build();
        MoeTransformer model = new MoeTransformer(config, new Generator(11));
        Optimizer optimizer = new AdamW(ParamGroups.decayAndNoDecay(model, 0.02, 0.01));

        long[] sequence = new long[4 * 13];
        for (int i = 1; i < sequence.length; i++) {
            sequence[i] = i % 13 == 0 ? (i / 13) * 3 : CYCLE[(int) sequence[i - 1]];
        }
        Tensor rows = Tensor.of(sequence, 4, 13);
        Tensor inputs = rows.slice(1, 0, 12);
        Tensor targets = rows.slice(1, 1, 13).reshape(48);

        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < STEPS; step++) {
            optimizer.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(inputs).reshape(48, 12), targets);
            loss.add(model.auxLoss().total()).backward();
            optimizer.step();
            model.updateBias(model.lastRouting());
            last = loss.item();
            first = step == 0 ? last : first;
        }
        double bias = model.moeLayers().get(0).stateDict().get("gate.e_score_correction_bias").abs().sum().item();
        assertTrue(first > 2, "an untrained model should be near ln(12) = 2.48, got " + first);
        assertTrue(last < 0.1, "after " + STEPS + " steps the loss is " + last + ", from " + first);
        assertTrue(bias > 0, "the bias update moved the selection bias");
    }
}
