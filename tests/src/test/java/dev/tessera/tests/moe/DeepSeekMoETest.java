package dev.tessera.tests.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.DeepSeekMoE;
import dev.tessera.moe.ExpertLoad;
import dev.tessera.moe.MoeConfig;
import dev.tessera.moe.Router;
import dev.tessera.moe.Routing;
import dev.tessera.nn.Module;
import dev.tessera.nn.Parameter;
import dev.tessera.nn.SwiGLU;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;

/**
 * The layer against the naive per-token sum shared(x_t) + sum_k w_k expert_{idx_k}(x_t) (each expert
 * run on the one token), dropless and with a capacity whose drops the test names from the rule;
 * Hugging Face names; idle experts and empty batches; a plugged-in router.
 */
class DeepSeekMoETest {
    private static final double F64_TOLERANCE = 1e-12;

    @Property(tries = 40, shrinking = ShrinkingMode.OFF)
    void dispatchAndCombineEqualTheNaivePerTokenSum(@ForAll long seed) {
        Random r = new Random(seed);
        MoeConfig.Builder b = MoeFixtures.randomConfig(r, 16, 4, 3).toBuilder();
        boolean capped = r.nextBoolean();
        if (capped) {
            b.capacityFactor(0.25 + 1.75 * r.nextDouble());
        }
        MoeConfig c = b.build();
        DeepSeekMoE layer = new DeepSeekMoE(c, new Generator(seed));
        layer.to(DType.F64);
        int tokens = r.nextInt(41);
        boolean batched = tokens > 0 && tokens % 2 == 0 && r.nextBoolean();
        Tensor x = Tensor.randn(new Generator(seed + 1), tokens, 4).to(DType.F64);
        Tensor y = layer.forward(batched ? x.reshape(2, tokens / 2, 4) : x);
        assertArrayEquals(batched ? new long[] {2, tokens / 2, 4} : new long[] {tokens, 4}, y.shape());
        Routing routing = layer.lastRoutes();
        long[][] indices = MoeFixtures.longRows(routing.indices());
        double[][] weights = MoeFixtures.rows(routing.weights());
        boolean[][] kept = keptByTheCapacityRule(indices, c.nRoutedExperts(), c.capacity(tokens));
        double[][] expected = naive(layer, x, indices, weights, kept);
        assertClose(expected, MoeFixtures.rows(y.reshape(tokens, 4)), c + ", " + tokens + " tokens");

        long[] drops = new long[c.nRoutedExperts()];
        long[] loads = new long[c.nRoutedExperts()];
        for (int t = 0; t < tokens; t++) {
            for (int k = 0; k < indices[t].length; k++) {
                loads[(int) indices[t][k]]++;
                drops[(int) indices[t][k]] += kept[t][k] ? 0 : 1;
            }
        }
        ExpertLoad load = layer.lastRouting();
        assertArrayEquals(loads, load.tokensPerExpert());
        assertArrayEquals(drops, load.droppedPerExpert());
        assertEquals(tokens, load.tokens());
        if (!capped) {
            assertEquals(0, load.dropped());
        }
    }

    /** The rule of REFERENCE §1.6.6 with the "position" policy: assignments in token order, the first C per expert kept. */
    private static boolean[][] keptByTheCapacityRule(long[][] indices, int experts, long capacity) {
        long[] seen = new long[experts];
        boolean[][] kept = new boolean[indices.length][];
        for (int t = 0; t < indices.length; t++) {
            kept[t] = new boolean[indices[t].length];
            for (int k = 0; k < indices[t].length; k++) {
                kept[t][k] = seen[(int) indices[t][k]]++ < capacity;
            }
        }
        return kept;
    }

    /** shared(x_t) + sum over kept slots of w * expert(x_t), one token and one expert at a time. */
    private static double[][] naive(DeepSeekMoE layer, Tensor x, long[][] indices, double[][] weights, boolean[][] kept) {
        int tokens = indices.length;
        int hidden = (int) layer.config().hiddenSize();
        double[][] out = new double[tokens][hidden];
        for (int t = 0; t < tokens; t++) {
            Tensor row = x.narrow(0, t, 1);
            if (layer.sharedExperts() != null) {
                out[t] = layer.sharedExperts().forward(row).toDoubleArray();
            }
            for (int k = 0; k < indices[t].length; k++) {
                if (!kept[t][k]) {
                    continue;
                }
                double[] e = layer.expert((int) indices[t][k]).forward(row).toDoubleArray();
                for (int h = 0; h < hidden; h++) {
                    out[t][h] += weights[t][k] * e[h];
                }
            }
        }
        return out;
    }

    @Test
    void capacityDropsTheLatestTokensOfAnOverfullExpert() {
        // every token picks experts 0 and 1 (the gate favours them); C = ceil(8 * 2 / 4 * 0.5) = 2
        MoeConfig c = MoeConfig.builder().hidden(4).moeIntermediate(3).routedExperts(4).sharedExperts(0).topK(2)
                .capacityFactor(0.5).build();
        DeepSeekMoE layer = new DeepSeekMoE(c, new Generator(1));
        layer.to(DType.F64);
        Tensor x = Tensor.randn(new Generator(2), 8, 4).abs().to(DType.F64);
        ((dev.tessera.moe.DeepSeekRouter) layer.router()).weight().set(Tensor.of(new double[] {
            5, 5, 5, 5, 4, 4, 4, 4, -5, -5, -5, -5, -5, -5, -5, -5}, 4, 4));
        double[][] y = MoeFixtures.rows(layer.forward(x));
        ExpertLoad load = layer.lastRouting();
        assertArrayEquals(new long[] {8, 8, 0, 0}, load.tokensPerExpert());
        assertArrayEquals(new long[] {6, 6, 0, 0}, load.droppedPerExpert());
        for (int t = 2; t < 8; t++) {
            assertArrayEquals(new double[4], y[t], "token " + t + " is past both experts' capacity");
        }
        double[][] w = MoeFixtures.rows(layer.lastRoutes().weights());
        for (int t = 0; t < 2; t++) {
            Tensor row = x.narrow(0, t, 1);
            double[] e0 = layer.expert(0).forward(row).toDoubleArray();
            double[] e1 = layer.expert(1).forward(row).toDoubleArray();
            for (int h = 0; h < 4; h++) {
                assertEquals(w[t][0] * e0[h] + w[t][1] * e1[h], y[t][h], 1e-12);
            }
        }
    }

    @Test
    void idleExpertsGetExactZeroGradientsAndEveryOtherParameterOne() {
        MoeConfig c = MoeConfig.builder().hidden(4).moeIntermediate(3).routedExperts(6).sharedExperts(1).topK(2).build();
        DeepSeekMoE layer = new DeepSeekMoE(c, new Generator(3));
        Tensor x = Tensor.randn(new Generator(4), 3, 4).requiresGrad(true);
        layer.forward(x).square().sum().backward();
        long[] load = layer.lastRouting().tokensPerExpert();
        assertTrue(java.util.Arrays.stream(load).anyMatch(n -> n == 0), "3 tokens x 2 slots leave some of 6 experts idle");
        for (int e = 0; e < 6; e++) {
            for (Parameter p : layer.expert(e).parameters()) {
                assertNotNull(p.grad(), "expert " + e);
                boolean allZero = java.util.Arrays.stream(p.grad().toDoubleArray()).allMatch(v -> v == 0);
                assertEquals(load[e] == 0, allZero, "expert " + e + " with " + load[e] + " assignments");
            }
        }
        for (Parameter p : layer.sharedExperts().parameters()) {
            assertNotNull(p.grad());
        }
        assertNotNull(((dev.tessera.moe.DeepSeekRouter) layer.router()).weight().grad());
        assertNotNull(x.grad());
    }

    @Test
    void aZeroTokenBatchGivesAnEmptyOutputAndZeroGradients() {
        MoeConfig c = MoeConfig.builder().hidden(4).moeIntermediate(3).routedExperts(4).sharedExperts(1).topK(2)
                .groups(2, 1).topkMethod(MoeConfig.TopkMethod.NOAUX_TC).scoring(MoeConfig.ScoringFunc.SIGMOID)
                .capacityFactor(1.0).build();
        DeepSeekMoE layer = new DeepSeekMoE(c, new Generator(5));
        Tensor x = Tensor.zeros(2, 0, 4).requiresGrad(true);
        Tensor y = layer.forward(x);
        assertArrayEquals(new long[] {2, 0, 4}, y.shape());
        y.sum().backward();
        for (Map.Entry<String, Parameter> p : layer.namedParameters().entrySet()) {
            if (p.getValue().grad() != null) {
                assertTrue(java.util.Arrays.stream(p.getValue().grad().toDoubleArray()).allMatch(v -> v == 0), p.getKey());
            }
        }
        assertEquals(0, layer.lastRouting().assignments());
        assertEquals(0.0, layer.auxLoss().total().item());
    }

    @Test
    void stateDictHasHuggingFaceNames() {
        MoeConfig c = MoeConfig.builder().hidden(8).moeIntermediate(4).routedExperts(3).sharedExperts(2).topK(2)
                .topkMethod(MoeConfig.TopkMethod.NOAUX_TC).scoring(MoeConfig.ScoringFunc.SIGMOID).build();
        DeepSeekMoE layer = new DeepSeekMoE(c, new Generator(6));
        Map<String, Tensor> state = layer.stateDict();
        List<String> expected = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            for (String p : List.of("gate_proj", "up_proj", "down_proj")) {
                expected.add("experts." + e + "." + p + ".weight");
            }
        }
        expected.addAll(List.of("gate.weight", "shared_experts.gate_proj.weight", "shared_experts.up_proj.weight",
                "shared_experts.down_proj.weight", "gate.e_score_correction_bias"));
        assertEquals(expected, List.copyOf(state.keySet()));
        assertArrayEquals(new long[] {3, 8}, state.get("gate.weight").shape());
        assertArrayEquals(new long[] {8, 8}, state.get("shared_experts.gate_proj.weight").shape());
        assertArrayEquals(new long[] {8, 4}, state.get("experts.2.down_proj.weight").shape());
        DeepSeekMoE copy = new DeepSeekMoE(c, new Generator(7));
        copy.loadStateDict(state, true);
        Tensor x = Tensor.randn(new Generator(8), 5, 8);
        assertArrayEquals(layer.forward(x).toFloatArray(), copy.forward(x).toFloatArray());
        assertNull(new DeepSeekMoE(c.toBuilder().sharedExperts(0).build(), new Generator(9)).sharedExperts());
    }

    @Test
    void twoRunsAreBitIdentical() {
        MoeConfig c = MoeConfig.builder().hidden(16).moeIntermediate(8).routedExperts(8).sharedExperts(1).topK(3)
                .groups(4, 2).topkMethod(MoeConfig.TopkMethod.NOAUX_TC).scoring(MoeConfig.ScoringFunc.SIGMOID).build();
        float[][] first = runOnce(c);
        float[][] second = runOnce(c);
        for (int i = 0; i < first.length; i++) {
            assertArrayEquals(first[i], second[i]);
        }
    }

    private static float[][] runOnce(MoeConfig c) {
        DeepSeekMoE layer = new DeepSeekMoE(c, new Generator(10));
        Tensor x = Tensor.randn(new Generator(11), 2, 20, 16).requiresGrad(true);
        Tensor y = layer.forward(x);
        y.square().sum().backward();
        return new float[][] {y.toFloatArray(), x.grad().toFloatArray(),
            layer.namedParameters().get("gate.weight").grad().toFloatArray(),
            layer.namedParameters().get("experts.3.up_proj.weight").grad().toFloatArray()};
    }

    /** A plugged-in router: token t goes to experts t mod E and (t + 1) mod E with weights 1 and 0.5. */
    static final class RoundRobinRouter extends Module implements Router {
        private final int experts;

        RoundRobinRouter(int experts) {
            this.experts = experts;
        }

        @Override
        public Routing route(Tensor x) {
            long tokens = x.size(0);
            long[] ids = new long[(int) tokens * 2];
            double[] w = new double[(int) tokens * 2];
            for (int t = 0; t < tokens; t++) {
                ids[2 * t] = t % experts;
                ids[2 * t + 1] = (t + 1) % experts;
                w[2 * t] = 1;
                w[2 * t + 1] = 0.5;
            }
            Tensor zeros = Tensor.zeros(tokens, experts);
            return new Routing(Tensor.of(ids, tokens, 2), Tensor.of(w, tokens, 2).to(DType.F32), zeros, zeros);
        }

        @Override
        public int numExperts() {
            return experts;
        }

        @Override
        public int topK() {
            return 2;
        }
    }

    @Test
    void anotherRouterPlugsInWithoutTouchingTheLayer() {
        MoeConfig c = MoeConfig.builder().hidden(4).moeIntermediate(3).routedExperts(3).sharedExperts(0).topK(2).build();
        DeepSeekMoE layer = new DeepSeekMoE(c, new RoundRobinRouter(3), new Generator(12));
        Tensor x = Tensor.randn(new Generator(13), 5, 4);
        double[][] y = MoeFixtures.rows(layer.forward(x));
        for (int t = 0; t < 5; t++) {
            Tensor row = x.narrow(0, t, 1);
            double[] a = layer.expert(t % 3).forward(row).toDoubleArray();
            double[] b = layer.expert((t + 1) % 3).forward(row).toDoubleArray();
            for (int h = 0; h < 4; h++) {
                assertEquals(a[h] + 0.5 * b[h], y[t][h], 1e-6);
            }
        }
        assertThrows(IllegalStateException.class, () -> layer.updateBias(layer.lastRouting()));
        assertThrows(IllegalArgumentException.class,
                () -> new DeepSeekMoE(c.toBuilder().topK(1).build(), new RoundRobinRouter(3), new Generator(14)));
    }

    @Test
    void wrongInputShapeIsRefused() {
        DeepSeekMoE layer = new DeepSeekMoE(MoeConfig.builder().hidden(4).moeIntermediate(2).routedExperts(2).topK(1).build(),
                new Generator(15));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layer.forward(Tensor.zeros(3, 5)));
        assertTrue(e.getMessage().contains("[3, 5]"), e.getMessage());
    }

    private static void assertClose(double[][] expected, double[][] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                if (Math.abs(expected[i][j] - actual[i][j]) > F64_TOLERANCE * Math.max(1, Math.abs(expected[i][j]))) {
                    throw new AssertionError(what + ": [" + i + "][" + j + "] expected " + expected[i][j] + ", got " + actual[i][j]);
                }
            }
        }
    }
}
