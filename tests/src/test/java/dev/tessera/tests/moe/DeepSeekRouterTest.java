package dev.tessera.tests.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.DeepSeekRouter;
import dev.tessera.moe.MoeConfig;
import dev.tessera.moe.Routing;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;

/**
 * The router against {@link ReferenceRouter}, token by token, in F64: logits and scores within
 * rounding, then the selection (bias, groups, -inf masking, top-k, ties to the lower index) exactly
 * and the weights within rounding, computed from the router's own scores so that rounding in the
 * score function cannot flip an exact tie. Inputs are drawn so ties are common: all-zero gates,
 * gate and input values on a coarse grid (exact, often equal, logits), and gaussian ones.
 */
class DeepSeekRouterTest {
    private static final double TOLERANCE = 1e-12;

    @Property(tries = 150, shrinking = ShrinkingMode.OFF)
    void routerEqualsThePerTokenReferenceLoop(@ForAll long seed) {
        Random r = new Random(seed);
        MoeConfig c = MoeFixtures.randomConfig(r, 64, 1 + r.nextInt(8), 2);
        DeepSeekRouter router = new DeepSeekRouter(c, new Generator(seed));
        router.to(DType.F64);
        int mode = r.nextInt(3); // 0: all-zero gate, 1: coarse grid, 2: gaussian
        int experts = c.nRoutedExperts();
        int hidden = (int) c.hiddenSize();
        double[][] w = new double[experts][hidden];
        for (double[] row : w) {
            for (int h = 0; h < hidden; h++) {
                row[h] = mode == 0 ? 0 : mode == 1 ? (r.nextInt(9) - 4) / 4.0 : r.nextGaussian();
            }
        }
        router.weight().set(MoeFixtures.tensor(w, hidden));
        double[] bias = null;
        if (c.hasCorrectionBias()) {
            bias = new double[experts];
            double shift = r.nextInt(4) == 0 ? -5 : 0; // REFERENCE §7.2: every biased score negative
            for (int e = 0; e < experts; e++) {
                bias[e] = shift + (r.nextInt(65) - 32) / 64.0;
            }
            router.correctionBias().set(Tensor.of(bias, experts));
        }
        int tokens = r.nextInt(301);
        double[][] x = new double[tokens][hidden];
        for (double[] row : x) {
            for (int h = 0; h < hidden; h++) {
                row[h] = mode == 2 ? r.nextGaussian() : r.nextInt(5) - 2;
            }
        }
        Routing routing = router.route(MoeFixtures.tensor(x, hidden));
        String what = c + ", " + tokens + " tokens, mode " + mode;
        int k = c.numExpertsPerTok();
        assertArrayEquals(new long[] {tokens, k}, routing.indices().shape(), what);
        assertEquals(DType.I64, routing.indices().dtype(), what);
        assertArrayEquals(new long[] {tokens, k}, routing.weights().shape(), what);
        double[][] logits = MoeFixtures.rows(routing.logits());
        double[][] scores = MoeFixtures.rows(routing.scores());
        assertClose(ReferenceRouter.logits(x, w), logits, what + ": logits");
        assertClose(ReferenceRouter.scores(logits, c.scoringFunc()), scores, what + ": scores");
        long[][] indices = MoeFixtures.longRows(routing.indices());
        double[][] weights = MoeFixtures.rows(routing.weights());
        for (int t = 0; t < tokens; t++) {
            int[] expected = ReferenceRouter.topIndices(ReferenceRouter.choice(scores[t], bias, c), k);
            for (int j = 0; j < k; j++) {
                assertEquals(expected[j], indices[t][j], what + ": token " + t + " slot " + j);
            }
            assertClose(new double[][] {ReferenceRouter.weights(scores[t], expected, c)}, new double[][] {weights[t]},
                    what + ": weights of token " + t);
        }
    }

    @Test
    void allEqualScoresPickTheLowestExpertsAndGroups() {
        for (MoeConfig.ScoringFunc f : MoeConfig.ScoringFunc.values()) {
            MoeConfig c = MoeConfig.builder().hidden(3).routedExperts(12).topK(3).groups(4, 2)
                    .topkMethod(MoeConfig.TopkMethod.NOAUX_TC).scoring(f).build();
            DeepSeekRouter router = new DeepSeekRouter(c, new Generator(1));
            router.weight().set(Tensor.zeros(12, 3));
            Routing routing = router.route(Tensor.randn(new Generator(2), 5, 3));
            for (long[] row : MoeFixtures.longRows(routing.indices())) {
                assertArrayEquals(new long[] {0, 1, 2}, row, f.toString());
            }
            double expected = f == MoeConfig.ScoringFunc.SIGMOID ? 1.0 / 3 : 1.0 / 12; // normalised, or the raw softmax
            for (double w : routing.weights().toDoubleArray()) {
                assertEquals(expected, w, 1e-7, f.toString());
            }
        }
    }

    /** REFERENCE §7.2: with every biased score negative, a 0.0 fill would let a masked group win; -inf does not. */
    @Test
    void maskedGroupsNeverWinWhenBiasedScoresAreNegative() {
        MoeConfig c = MoeConfig.builder().hidden(4).routedExperts(8).topK(3).groups(4, 2)
                .topkMethod(MoeConfig.TopkMethod.NOAUX_TC).scoring(MoeConfig.ScoringFunc.SIGMOID).build();
        DeepSeekRouter router = new DeepSeekRouter(c, new Generator(3));
        router.correctionBias().set(Tensor.full(-10, DType.F32, 8));
        Routing routing = router.route(Tensor.randn(new Generator(4), 64, 4));
        double[][] scores = MoeFixtures.rows(routing.scores());
        long[][] indices = MoeFixtures.longRows(routing.indices());
        double[] bias = new double[8];
        java.util.Arrays.fill(bias, -10);
        for (int t = 0; t < 64; t++) {
            double[] choice = ReferenceRouter.choice(scores[t], bias, c);
            for (long e : indices[t]) {
                assertTrue(choice[(int) e] > Double.NEGATIVE_INFINITY, "token " + t + " chose expert " + e
                        + " of a masked group: " + java.util.Arrays.toString(choice));
                assertTrue(choice[(int) e] < 0);
            }
        }
    }

    @Test
    void f32RouterAgreesWithF64() {
        MoeConfig c = MoeConfig.builder().hidden(16).routedExperts(32).topK(6).groups(8, 3)
                .topkMethod(MoeConfig.TopkMethod.NOAUX_TC).scoring(MoeConfig.ScoringFunc.SIGMOID)
                .routedScalingFactor(2.5).build();
        DeepSeekRouter f32 = new DeepSeekRouter(c, new Generator(5));
        DeepSeekRouter f64 = new DeepSeekRouter(c, new Generator(5));
        f64.to(DType.F64);
        Tensor bias = Tensor.randn(new Generator(6), 32).mul(0.05);
        f32.correctionBias().set(bias);
        f64.correctionBias().set(bias.to(DType.F64));
        Tensor x = Tensor.randn(new Generator(7), 200, 16);
        Routing a = f32.route(x);
        Routing b = f64.route(x.to(DType.F64));
        assertEquals(DType.F32, a.weights().dtype());
        assertEquals(DType.F32, a.scores().dtype());
        assertArrayEquals(b.indices().toLongArray(), a.indices().toLongArray());
        double[] wa = a.weights().toDoubleArray();
        double[] wb = b.weights().toDoubleArray();
        for (int i = 0; i < wa.length; i++) {
            assertEquals(wb[i], wa[i], 2e-6);
        }
    }

    @Test
    void theBiasIsABufferOnlyForNoauxTc() {
        MoeConfig v3 = MoeConfig.builder().hidden(4).routedExperts(8).topK(2).topkMethod(MoeConfig.TopkMethod.NOAUX_TC).build();
        DeepSeekRouter router = new DeepSeekRouter(v3, new Generator(8));
        assertEquals(List.of("weight"), List.copyOf(router.namedParameters().keySet()));
        assertEquals(List.of("e_score_correction_bias"), List.copyOf(router.namedBuffers().keySet()));
        assertEquals(DType.F32, router.correctionBias().value().dtype());
        assertFalse(router.correctionBias().value().requiresGrad());
        DeepSeekRouter v2 = new DeepSeekRouter(v3.toBuilder().topkMethod(MoeConfig.TopkMethod.GREEDY).build(), new Generator(8));
        assertNull(v2.correctionBias());
        assertTrue(v2.namedBuffers().isEmpty());
        assertThrows(IllegalStateException.class, () -> v2.updateBias(new long[8]));
    }

    @Test
    void aZeroTokenBatchRoutesToEmptyTensors() {
        MoeConfig c = MoeConfig.builder().hidden(4).routedExperts(8).topK(2).groups(4, 2)
                .topkMethod(MoeConfig.TopkMethod.NOAUX_TC).scoring(MoeConfig.ScoringFunc.SIGMOID).build();
        Routing routing = new DeepSeekRouter(c, new Generator(9)).route(Tensor.zeros(0, 4));
        assertArrayEquals(new long[] {0, 2}, routing.indices().shape());
        assertArrayEquals(new long[] {0, 2}, routing.weights().shape());
        assertArrayEquals(new long[] {0, 8}, routing.scores().shape());
    }

    /** REFERENCE §7.5 and §7.6: logits near -200 (every sigmoid underflows) and near +-1e4 give finite weights, losses and gradients. */
    @Test
    void extremeLogitsStayFinite() {
        for (double scale : new double[] {-200, 1e4}) {
            for (MoeConfig.ScoringFunc f : MoeConfig.ScoringFunc.values()) {
                MoeConfig c = MoeConfig.builder().hidden(2).routedExperts(6).topK(2).groups(3, 2)
                        .topkMethod(MoeConfig.TopkMethod.NOAUX_TC).scoring(f).build();
                DeepSeekRouter router = new DeepSeekRouter(c, new Generator(13));
                double[] w = {1, 0, 1, 0.5, 1, 0.25, 1, 0, 1, -0.5, 1, 1}; // x = (-200, 1): every logit near -200
                router.weight().set(Tensor.of(w, 6, 2).to(DType.F32));
                Tensor x = Tensor.of(new float[] {Math.abs((float) scale), 0, (float) scale, 1}, 2, 2);
                Routing routing = router.route(x);
                Tensor loss = routing.weights().sum()
                        .add(dev.tessera.moe.BalanceLosses.sequenceBalance(routing, 2, 0.1))
                        .add(dev.tessera.moe.BalanceLosses.expertBalance(routing, 2, 0.1))
                        .add(dev.tessera.moe.BalanceLosses.zLoss(routing, 0.1));
                assertTrue(Double.isFinite(loss.item()), f + " at " + scale + ": " + loss.item());
                loss.backward();
                for (double g : router.weight().grad().toDoubleArray()) {
                    assertTrue(Double.isFinite(g), f + " at " + scale + ": gate gradient " + g);
                }
            }
        }
    }

    @Test
    void wrongInputShapeIsRefused() {
        DeepSeekRouter router = new DeepSeekRouter(MoeConfig.builder().hidden(4).routedExperts(8).topK(2).build(),
                new Generator(10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> router.route(Tensor.zeros(3, 5)));
        assertTrue(e.getMessage().contains("[3, 5]") && e.getMessage().contains("[T, 4]"), e.getMessage());
    }

    @Test
    void noiseOnlyInTrainingAndItTrainsItsWeight() {
        MoeConfig c = MoeConfig.builder().hidden(4).routedExperts(8).topK(2).routerNoise(true).build();
        DeepSeekRouter noisy = new DeepSeekRouter(c, new Generator(11));
        DeepSeekRouter clean = new DeepSeekRouter(c.toBuilder().routerNoise(false).build(), new Generator(11));
        assertEquals(List.of("weight", "noise_weight"), List.copyOf(noisy.namedParameters().keySet()));
        Tensor x = Tensor.randn(new Generator(12), 6, 4);
        Routing first = noisy.route(x);
        Routing second = noisy.route(x);
        assertFalse(java.util.Arrays.equals(first.logits().toFloatArray(), second.logits().toFloatArray()));
        first.weights().sum().backward();
        assertNotNull(noisy.namedParameters().get("noise_weight").grad());
        noisy.eval();
        assertArrayEquals(clean.route(x).logits().toFloatArray(), noisy.route(x).logits().toFloatArray());
    }

    private static void assertClose(double[][] expected, double[][] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                double e = expected[i][j];
                double a = actual[i][j];
                if (Math.abs(e - a) > TOLERANCE * Math.max(1, Math.abs(e))) {
                    throw new AssertionError(what + "[" + i + "][" + j + "]: expected " + e + ", got " + a);
                }
            }
        }
    }
}
