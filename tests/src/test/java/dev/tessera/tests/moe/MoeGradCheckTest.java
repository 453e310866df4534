package dev.tessera.tests.moe;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.autograd.Grad;
import dev.tessera.moe.DeepSeekMoE;
import dev.tessera.moe.DeepSeekRouter;
import dev.tessera.moe.MoeConfig;
import dev.tessera.nn.Parameter;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The whole layer's F64 gradients (input and gate weight at every entry, every routed and shared
 * expert weight at random entries) against central differences of L = sum(y * R), on inputs drawn with a margin between the K-th
 * and (K+1)-th selection scores, and between the kept and the next group, far wider than the
 * step (REFERENCE §7.10): the finite differences never cross a selection boundary. Then: K = 1 with
 * normalisation gives the gate no gradient from the main loss (the weight is identically rho).
 */
class MoeGradCheckTest {
    private static final int TOKENS = 6;
    private static final int HIDDEN = 4;
    private static final double STEP = 1e-6;
    private static final double MARGIN = 1e-3;
    private static final double TOLERANCE = 1e-7;
    /** Input and gate: every entry; each expert weight: this many, drawn at random (the layer's cost is in its forwards). */
    private static final int ENTRIES_PER_EXPERT_WEIGHT = 5;
    private static final int ALL = Integer.MAX_VALUE;

    @Test
    void v3StyleLayer() {
        check(MoeConfig.builder().hidden(HIDDEN).moeIntermediate(3).routedExperts(8).sharedExperts(1).topK(3)
                .groups(4, 2).topkMethod(MoeConfig.TopkMethod.NOAUX_TC).scoring(MoeConfig.ScoringFunc.SIGMOID)
                .routedScalingFactor(2.5).build(), 1);
    }

    @Test
    void v2StyleLayerWithCapacityDrops() {
        check(MoeConfig.builder().hidden(HIDDEN).moeIntermediate(3).routedExperts(6).sharedExperts(2).topK(2)
                .groups(3, 2).topkMethod(MoeConfig.TopkMethod.GROUP_LIMITED_GREEDY).routedScalingFactor(16)
                .capacityFactor(0.75).build(), 2);
    }

    @Test
    void softmaxWithNormalisationNoSharedExpert() {
        check(MoeConfig.builder().hidden(HIDDEN).moeIntermediate(2).routedExperts(5).sharedExperts(0).topK(2)
                .normTopkProb(true).build(), 3);
    }

    private static void check(MoeConfig c, long seed) {
        DeepSeekMoE layer = new DeepSeekMoE(c, new Generator(seed));
        layer.to(DType.F64);
        DeepSeekRouter router = (DeepSeekRouter) layer.router();
        double[] bias = null;
        if (c.hasCorrectionBias()) {
            Tensor b = Tensor.randn(new Generator(seed + 100), c.nRoutedExperts()).mul(0.1).to(DType.F64);
            router.correctionBias().set(b);
            bias = b.toDoubleArray();
        }
        Tensor x = inputWithMargin(layer, bias, seed);
        Tensor r = Tensor.randn(new Generator(seed + 200), TOKENS, HIDDEN).to(DType.F64);

        Tensor leaf = x.detach().requiresGrad(true);
        layer.forward(leaf).mul(r).sum().backward();
        Map<String, double[]> analytic = new LinkedHashMap<>();
        analytic.put("input", leaf.grad().toDoubleArray());
        for (Map.Entry<String, Parameter> p : layer.namedParameters().entrySet()) {
            Tensor g = p.getValue().grad();
            analytic.put(p.getKey(), g == null ? new double[(int) p.getValue().numel()] : g.toDoubleArray());
        }
        if (router.correctionBias() != null) {
            assertFalse(router.correctionBias().value().requiresGrad());
            assertNull(router.correctionBias().value().grad());
        }
        assertTrue(layer.lastRouting().dropped() > 0 || c.capacityFactor().isEmpty(), "the capped case drops something");

        try (Grad.Scope off = Grad.off()) {
            Random pick = new Random(seed);
            compare("input", analytic.get("input"),
                    numeric(x.toDoubleArray(), ALL, pick, v -> loss(layer, Tensor.of(v, x.shape()), r)));
            for (Map.Entry<String, Parameter> entry : layer.namedParameters().entrySet()) {
                Parameter p = entry.getValue();
                Tensor original = p.value().detach();
                int entries = entry.getKey().startsWith("gate.") ? ALL : ENTRIES_PER_EXPERT_WEIGHT;
                double[] numeric = numeric(original.toDoubleArray(), entries, pick, v -> {
                    p.set(Tensor.of(v, original.shape()));
                    return loss(layer, x, r);
                });
                p.set(original);
                compare(entry.getKey(), analytic.get(entry.getKey()), numeric);
            }
        }
    }

    /** A [TOKENS, HIDDEN] input whose routing has at least {@link #MARGIN} between kept and rejected scores. */
    private static Tensor inputWithMargin(DeepSeekMoE layer, double[] bias, long seed) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            Tensor x = Tensor.randn(new Generator(seed * 1000 + attempt), TOKENS, HIDDEN).to(DType.F64);
            double[][] scores = MoeFixtures.rows(layer.router().route(x).scores());
            if (ReferenceRouter.margin(scores, bias, layer.config()) > MARGIN) {
                return x;
            }
        }
        throw new AssertionError("no input with a margin of " + MARGIN + " in 1000 draws");
    }

    private static double loss(DeepSeekMoE layer, Tensor x, Tensor r) {
        return layer.forward(x).mul(r).sum().item();
    }

    /**
     * Central differences at {@code count} entries drawn by {@code pick} (every entry for {@link #ALL});
     * NaN at the others, which {@link #compare} skips.
     */
    private static double[] numeric(double[] values, int count, Random pick,
            java.util.function.ToDoubleFunction<double[]> loss) {
        double[] gradient = new double[values.length];
        java.util.Arrays.fill(gradient, Double.NaN);
        List<Integer> entries = new ArrayList<>();
        for (int j = 0; j < values.length; j++) {
            entries.add(j);
        }
        java.util.Collections.shuffle(entries, pick);
        for (int j : entries.subList(0, Math.min(count, values.length))) {
            double[] up = values.clone();
            double[] down = values.clone();
            up[j] += STEP;
            down[j] -= STEP;
            gradient[j] = (loss.applyAsDouble(up) - loss.applyAsDouble(down)) / (up[j] - down[j]);
        }
        return gradient;
    }

    private static void compare(String what, double[] analytic, double[] numeric) {
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < analytic.length; i++) {
            if (!Double.isNaN(numeric[i]) && Math.abs(analytic[i] - numeric[i]) > TOLERANCE * Math.max(1, Math.abs(numeric[i]))) {
                wrong.add("[" + i + "] analytic " + analytic[i] + ", numeric " + numeric[i]);
            }
        }
        assertTrue(wrong.isEmpty(), what + ": " + wrong);
    }

    @Test
    void topOneWithNormalisationGivesTheGateNoMainLossGradient() {
        MoeConfig normalised = MoeConfig.builder().hidden(HIDDEN).moeIntermediate(3).routedExperts(4).sharedExperts(0)
                .topK(1).scoring(MoeConfig.ScoringFunc.SIGMOID).routedScalingFactor(2.5).build();
        assertTrue(gateGradientNorm(normalised) < 1e-14);
        MoeConfig raw = normalised.toBuilder().scoring(MoeConfig.ScoringFunc.SOFTMAX).normTopkProb(false).build();
        assertTrue(gateGradientNorm(raw) > 1e-3);
    }

    private static double gateGradientNorm(MoeConfig c) {
        DeepSeekMoE layer = new DeepSeekMoE(c, new Generator(4));
        layer.to(DType.F64);
        layer.forward(Tensor.randn(new Generator(5), 16, HIDDEN).to(DType.F64)).square().sum().backward();
        Tensor g = ((DeepSeekRouter) layer.router()).weight().grad();
        double norm = 0;
        for (double v : g.toDoubleArray()) {
            norm = Math.max(norm, Math.abs(v));
        }
        return norm;
    }
}
