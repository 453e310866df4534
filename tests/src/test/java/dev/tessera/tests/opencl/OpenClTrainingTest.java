package dev.tessera.tests.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.MoeConfig;
import dev.tessera.moe.MoeTransformer;
import dev.tessera.nn.Losses;
import dev.tessera.nn.Parameter;
import dev.tessera.nn.optim.AdamW;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroups;
import dev.tessera.opencl.OpenClBackend;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A tiny MoE transformer (a dense layer, an MoE layer of 8 sigmoid experts, top-2, one shared)
 * trains on the OpenCL device with the code that trains it on the cpu: forward, cross-entropy plus
 * the auxiliary loss, backward, AdamW and the bias update. Its losses follow its cpu twin's (same
 * initial weights, same data) step by step, and a step reads back only a few hundred bytes: the
 * loss, the experts' row counts (which size the dispatch) and the routing statistics.
 */
@ExtendWith(OpenClAvailable.class)
class OpenClTrainingTest {
    private static final long[] CYCLE = {5, 9, 0, 7, 11, 3, 1, 10, 2, 4, 6, 8};
    private static final int STEPS = 25;
    private static final MoeConfig CONFIG = MoeConfig.builder().vocabSize(12).hidden(16).heads(2).kvHeads(1)
            .intermediate(32).moeIntermediate(8).routedExperts(8).sharedExperts(1).topK(2).layers(2)
            .firstKDenseReplace(1).scoring(MoeConfig.ScoringFunc.SIGMOID).topkMethod(MoeConfig.TopkMethod.NOAUX_TC)
            .normTopkProb(true).biasUpdateSpeed(0.01).build();

    @Test
    void theMoeTransformerTrainsOnTheDeviceAsOnTheCpu() {
        long[] sequence = new long[4 * 13];
        for (int i = 1; i < sequence.length; i++) {
            sequence[i] = i % 13 == 0 ? (i / 13) * 3 : CYCLE[(int) sequence[i - 1]];
        }
        Tensor rows = Tensor.of(sequence, 4, 13);
        double[] onCpu = train(Device.cpu(), rows);
        double[] onDevice = train(Device.opencl(), rows);
        for (int step = 0; step < STEPS; step++) {
            // Float sums run in another order on the device; the twins drift apart slowly as the
            // rounding differences go through AdamW's normalised steps.
            double allowed = 1e-4 + 2e-3 * step * Math.abs(onCpu[step]);
            assertEquals(onCpu[step], onDevice[step], allowed, "loss at step " + step);
        }
        assertTrue(onDevice[STEPS - 1] < 0.1, "the device run's final loss is " + onDevice[STEPS - 1]);
    }

    private static double[] train(Device device, Tensor rows) {
        MoeTransformer model = new MoeTransformer(CONFIG, new Generator(11));
        model.to(device);
        for (Parameter p : model.parameters()) {
            assertSame(device, p.value().device());
        }
        Optimizer optimizer = new AdamW(ParamGroups.decayAndNoDecay(model, 0.02, 0.01));
        Tensor inputs = rows.slice(1, 0, 12).to(device);
        Tensor targets = rows.slice(1, 1, 13).reshape(48).to(device);
        double[] losses = new double[STEPS];
        for (int step = 0; step < STEPS; step++) {
            long readBefore = device == Device.opencl() ? OpenClBackend.bytesRead() : 0;
            optimizer.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(inputs).reshape(48, 12), targets);
            loss.add(model.auxLoss().total()).backward();
            optimizer.step();
            model.updateBias(model.lastRouting());
            losses[step] = loss.item();
            if (device == Device.opencl()) {
                long read = OpenClBackend.bytesRead() - readBefore;
                assertTrue(read < 4096, "step " + step + " read " + read + " bytes back from the device");
            }
        }
        return losses;
    }
}
