package dev.tessera.tests.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.autograd.Grad;
import dev.tessera.moe.AuxLoss;
import dev.tessera.moe.BalanceLosses;
import dev.tessera.moe.DeepSeekMoE;
import dev.tessera.moe.DeepSeekRouter;
import dev.tessera.moe.ExpertLoad;
import dev.tessera.moe.MoeConfig;
import dev.tessera.moe.Routing;
import dev.tessera.moe.RoutingStats;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The aux-loss-free bias update (the sign rule, and balance reached on a skewed router) and the balance losses by hand. */
class BalancingTest {
    private static final double ALPHA = 0.1;

    @Test
    void biasMovesByGammaTowardTheMeanAndNotAtIt() {
        MoeConfig c = MoeConfig.builder().hidden(4).moeIntermediate(2).routedExperts(4).topK(2)
                .topkMethod(MoeConfig.TopkMethod.NOAUX_TC).scoring(MoeConfig.ScoringFunc.SIGMOID).biasUpdateSpeed(0.25).build();
        DeepSeekRouter router = new DeepSeekRouter(c, new Generator(1));
        router.updateBias(new long[] {6, 2, 4, 4}); // mean 4: over, under, at, at
        assertArrayEquals(new float[] {-0.25f, 0.25f, 0, 0}, router.correctionBias().value().toFloatArray());
        router.updateBias(new long[] {6, 2, 4, 4});
        assertArrayEquals(new float[] {-0.5f, 0.5f, 0, 0}, router.correctionBias().value().toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> router.updateBias(new long[3]));
    }

    /**
     * Experts 0 and 1 start with nearly every token (max/mean near E/K = 4); 200 steps of gamma =
     * 0.005 on fresh batches of 256 tokens bring the max/mean load of a fresh batch of 1024 tokens
     * below 1.25 (it lands near 1.12: the sign rule leaves a jitter of about gamma around balance).
     */
    @Test
    void biasUpdateBalancesADeliberatelySkewedRouter() {
        int experts = 8;
        int hidden = 16;
        MoeConfig c = MoeConfig.builder().hidden(hidden).moeIntermediate(2).routedExperts(experts).sharedExperts(0).topK(2)
                .topkMethod(MoeConfig.TopkMethod.NOAUX_TC).scoring(MoeConfig.ScoringFunc.SIGMOID).biasUpdateSpeed(0.005).build();
        DeepSeekMoE layer = new DeepSeekMoE(c, new Generator(2));
        double[] w = Tensor.randn(new Generator(3), experts, hidden).mul(0.5).toDoubleArray();
        for (int e = 0; e < experts; e++) {
            w[e * hidden] = e < 2 ? 3 : 0; // only experts 0 and 1 read the always-on feature 0
        }
        ((DeepSeekRouter) layer.router()).weight().set(Tensor.of(w, experts, hidden).to(DType.F32));
        Generator data = new Generator(4);
        try (Grad.Scope off = Grad.off()) {
            double before = loadOfFreshBatch(layer, data, 1024).maxOverMean();
            assertTrue(before > 3.5, "the skew: nearly every token picks experts 0 and 1, max/mean " + before);
            RoutingStats step = new RoutingStats(experts, 2);
            for (int s = 0; s < 200; s++) {
                step.add(loadOfFreshBatch(layer, data, 256));
                layer.updateBias(step.total());
                step.reset();
            }
            double after = loadOfFreshBatch(layer, data, 1024).maxOverMean();
            assertTrue(after < 1.25, "max/mean load after 200 bias steps: " + layer.lastRouting());
        }
    }

    private static ExpertLoad loadOfFreshBatch(DeepSeekMoE layer, Generator data, int tokens) {
        int hidden = (int) layer.config().hiddenSize();
        float[] on = new float[hidden]; // feature 0 is 1 in every token, the others N(0, 1/4)
        float[] noisy = new float[hidden];
        on[0] = 1;
        java.util.Arrays.fill(noisy, 1, hidden, 0.5f);
        Tensor x = Tensor.randn(data, tokens, hidden).mul(Tensor.of(noisy, hidden)).add(Tensor.of(on, hidden));
        layer.forward(x);
        return layer.lastRouting();
    }

    /** scores [[.5, .3, .2], [.1, .6, .3]], token 0 -> expert 0, token 1 -> expert 1, one sequence of 2. */
    @Test
    void expertBalanceByHand() {
        Tensor scores = Tensor.of(new double[] {.5, .3, .2, .1, .6, .3}, 2, 3).requiresGrad(true);
        Routing routing = routing(new long[] {0, 1}, scores);
        // f = E / (K L) * counts = 3/2 * [1, 1, 0]; P = [.3, .45, .25]; L = alpha (1.5 * .3 + 1.5 * .45)
        Tensor loss = BalanceLosses.expertBalance(routing, 2, ALPHA);
        assertEquals(ALPHA * 1.125, loss.item(), 1e-15);
        loss.backward();
        // dL/ds[t, i] = alpha * f_i / L
        assertArrayEquals(new double[] {.075, .075, 0, .075, .075, 0}, scores.grad().toDoubleArray(), 1e-15);
    }

    /** Two sequences of one token: the per-sequence form averages alpha * sum f P over them; the batch form differs. */
    @Test
    void expertBalancePerSequenceAndOverTheBatch() {
        Tensor scores = Tensor.of(new double[] {.5, .3, .2, .1, .6, .3}, 2, 3);
        Routing routing = routing(new long[] {0, 0}, scores);
        // per sequence: f = 3 * [1, 0, 0]: (3 * .5 + 3 * .1) / 2 = .9
        assertEquals(ALPHA * 0.9, BalanceLosses.expertBalance(routing, 1, ALPHA).item(), 1e-15);
        // batch: f = 3/2 * [2, 0, 0] = [3, 0, 0], P_0 = .3: .9 as well; with the loads split it is not
        Routing split = routing(new long[] {1, 0}, scores);
        // per sequence: (3 * .3 + 3 * .1) / 2 = .6; batch: f = [1.5, 1.5, 0], P = [.3, .45, .25]: 1.125
        assertEquals(ALPHA * 0.6, BalanceLosses.expertBalance(split, 1, ALPHA).item(), 1e-15);
        assertEquals(ALPHA * 1.125, BalanceLosses.expertBalance(split, 2, ALPHA).item(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> BalanceLosses.expertBalance(split, 3, ALPHA));
    }

    /**
     * Sigmoid-like scores [[.8, .4, .4], [.2, .9, .1]]: renormalised s' = [[.5, .25, .25], [1/6, .75, 1/12]];
     * f from the unbiased top-1 (experts 0 and 1) = [1.5, 1.5, 0], whatever the routing chose;
     * P = [1/3, .5, 1/6]; L = alpha (1.5/3 + .75) = 1.25 alpha.
     */
    @Test
    void sequenceBalanceByHandUsesTheUnbiasedTopK() {
        Tensor scores = Tensor.of(new double[] {.8, .4, .4, .2, .9, .1}, 2, 3);
        assertEquals(ALPHA * 1.25, BalanceLosses.sequenceBalance(routing(new long[] {0, 1}, scores), 2, ALPHA).item(), 1e-15);
        assertEquals(ALPHA * 1.25, BalanceLosses.sequenceBalance(routing(new long[] {2, 2}, scores), 2, ALPHA).item(), 1e-15);
    }

    @Test
    void uniformRoutingGivesAlpha() {
        Tensor scores = Tensor.full(0.25, DType.F64, 4, 4);
        Routing routing = routing(new long[] {0, 1, 2, 3}, scores);
        assertEquals(ALPHA, BalanceLosses.expertBalance(routing, 4, ALPHA).item(), 1e-15);
        assertEquals(ALPHA, BalanceLosses.sequenceBalance(routing(new long[] {0, 0, 0, 0}, Tensor.of(new double[] {
            .4, .2, .2, .2, .2, .4, .2, .2, .2, .2, .4, .2, .2, .2, .2, .4}, 4, 4)), 4, ALPHA).item(), 1e-15);
    }

    /** logits [[0, 0], [ln 3, 0]]: lse = ln 2 and ln 4, mean of squares = 2.5 ln^2 2. */
    @Test
    void zLossByHand() {
        Tensor logits = Tensor.of(new double[] {0, 0, Math.log(3), 0}, 2, 2).requiresGrad(true);
        Routing routing = new Routing(Tensor.of(new long[] {0, 0}, 2, 1), Tensor.ones(DType.F64, 2, 1), logits.softmax(1), logits);
        Tensor loss = BalanceLosses.zLoss(routing, 0.01);
        double ln2 = Math.log(2);
        assertEquals(0.01 * 2.5 * ln2 * ln2, loss.item(), 1e-15);
        loss.backward();
        // dL/dl[t, i] = (2c / T) lse_t softmax_i
        double[] expected = {0.01 * ln2 * 0.5, 0.01 * ln2 * 0.5, 0.01 * 2 * ln2 * 0.75, 0.01 * 2 * ln2 * 0.25};
        assertArrayEquals(expected, logits.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void layerAuxLossWeighsEachTermByItsConfigKeyAndReachesTheGate() {
        MoeConfig c = MoeConfig.builder().hidden(8).moeIntermediate(2).routedExperts(6).sharedExperts(0).topK(2)
                .auxLossAlpha(0.01).seqAux(true).seqBalanceAlpha(0.001).routerZLossCoef(0.1).build();
        DeepSeekMoE layer = new DeepSeekMoE(c, new Generator(5));
        layer.forward(Tensor.randn(new Generator(6), 3, 5, 8));
        Routing r = layer.lastRoutes();
        AuxLoss aux = layer.auxLoss();
        assertEquals(BalanceLosses.expertBalance(r, 5, 0.01).item(), aux.expertBalance().item(), 0);
        assertEquals(BalanceLosses.sequenceBalance(r, 5, 0.001).item(), aux.sequenceBalance().item(), 0);
        assertEquals(BalanceLosses.zLoss(r, 0.1).item(), aux.zLoss().item(), 0);
        aux.total().backward();
        assertNotNull(((DeepSeekRouter) layer.router()).weight().grad());

        DeepSeekMoE batchForm = new DeepSeekMoE(c.toBuilder().seqAux(false).seqBalanceAlpha(0).routerZLossCoef(0).build(),
                new Generator(5));
        batchForm.forward(Tensor.randn(new Generator(6), 3, 5, 8));
        AuxLoss batch = batchForm.auxLoss();
        assertEquals(BalanceLosses.expertBalance(batchForm.lastRoutes(), 15, 0.01).item(), batch.expertBalance().item(), 0);
        assertEquals(0.0, batch.sequenceBalance().item());
        assertEquals(0.0, batch.zLoss().item());
    }

    private static Routing routing(long[] topOne, Tensor scores) {
        int tokens = topOne.length;
        return new Routing(Tensor.of(topOne, tokens, 1), Tensor.ones(DType.F64, tokens, 1), scores, scores.log());
    }
}
