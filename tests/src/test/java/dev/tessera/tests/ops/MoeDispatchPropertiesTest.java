package dev.tessera.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.MoePlan;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * What the MoE dispatch means, beyond agreeing with the reference: the plan is a stable sort by
 * expert whose order and position are inverse and whose drops are exactly those the "position"
 * capacity rule names; permute then unpermute with unit weights is K x; unpermute is the naive
 * weighted sum per token; the grouped product is a matmul per expert slice; and idle experts and
 * empty batches give exact zeros, not garbage.
 */
class MoeDispatchPropertiesTest {
    private static final List<Device> DEVICES = List.of(Device.cpu(), Device.reference());

    /** A routing drawn from a seed: ids [T, K] in [0, E), crowded onto few experts a third of the time. */
    private record Routing(long[] ids, int tokens, int topK, int experts, long capacity) {
        static Routing draw(long seed, int maxTokens) {
            Random r = new Random(seed);
            int tokens = r.nextInt(maxTokens + 1);
            int topK = 1 + r.nextInt(8);
            int experts = 1 + r.nextInt(64);
            int used = r.nextInt(3) == 0 ? Math.min(experts, 1 + r.nextInt(3)) : experts;
            long[] ids = new long[tokens * topK];
            for (int a = 0; a < ids.length; a++) {
                ids[a] = r.nextInt(used);
            }
            long capacity = r.nextBoolean() ? Long.MAX_VALUE : r.nextLong(Math.ceilDiv(ids.length, experts) + 2);
            return new Routing(ids, tokens, topK, experts, capacity);
        }

        MoePlan plan(Device device) {
            return Fused.moePlan(Tensor.of(ids).view(tokens, topK).to(device), experts, capacity);
        }
    }

    @Property(tries = 150)
    void thePlanIsAStableSortWithInverseOrderAndPositionAndPositionPolicyDrops(@ForAll long seed) {
        Routing routing = Routing.draw(seed, 300);
        for (Device device : DEVICES) {
            MoePlan plan = routing.plan(device);
            long[] counts = plan.counts().toLongArray();
            long[] order = plan.order().toLongArray();
            long[] position = plan.position().toLongArray();
            long[] seen = new long[routing.experts()];
            int kept = 0;
            for (int a = 0; a < routing.ids().length; a++) {
                int e = (int) routing.ids()[a];
                // The rule: an assignment is kept when fewer than capacity earlier ones went to its expert.
                boolean keep = seen[e]++ < routing.capacity();
                assertEquals(keep, position[a] >= 0, "assignment " + a + " kept or dropped by the rule");
                if (keep) {
                    assertEquals(a, order[(int) position[a]], "order[position[a]] = a");
                    kept++;
                }
            }
            for (int e = 0; e < routing.experts(); e++) {
                assertEquals(Math.min(seen[e], routing.capacity()), counts[e], "counts[" + e + "]");
            }
            assertEquals(kept, order.length);
            assertEquals(routing.ids().length - kept, plan.dropped());
            for (int p = 0; p < order.length; p++) {
                assertEquals(p, position[(int) order[p]], "position[order[p]] = p");
                if (p > 0) {
                    long e0 = routing.ids()[(int) order[p - 1]];
                    long e1 = routing.ids()[(int) order[p]];
                    assertTrue(e0 < e1 || (e0 == e1 && order[p - 1] < order[p]), "stable, by expert: rows " + (p - 1)
                            + " and " + p);
                }
            }
        }
    }

    @Property(tries = 100)
    void permuteThenUnpermuteWithUnitWeightsIsKTimesXWhenDropless(@ForAll long seed) {
        Routing drawn = Routing.draw(seed, 40);
        Routing routing = new Routing(drawn.ids(), drawn.tokens(), drawn.topK(), drawn.experts(), Long.MAX_VALUE);
        Random r = new Random(seed);
        int width = new int[] {1, 17, 33}[r.nextInt(3)];
        double[] values = new double[routing.tokens() * width];
        for (int i = 0; i < values.length; i++) {
            values[i] = r.nextInt(9) - 4; // integers: every sum is exact
        }
        for (Device device : DEVICES) {
            Tensor x = Tensor.of(values).view(routing.tokens(), width).to(DType.F32).to(device);
            MoePlan plan = routing.plan(device);
            Tensor ones = Tensor.ones(DType.F32, routing.tokens(), routing.topK()).to(device);
            Tensor y = Fused.moeUnpermute(Fused.moePermute(x, plan), plan, ones);
            assertArrayEquals(x.mul(routing.topK()).toDoubleArray(), y.toDoubleArray(), "K x on " + device);
        }
    }

    @Property(tries = 100)
    void unpermuteIsTheNaiveWeightedSumPerToken(@ForAll long seed) {
        Routing routing = Routing.draw(seed, 60);
        Random r = new Random(seed);
        int width = 1 + r.nextInt(40);
        MoePlan plan = routing.plan(Device.cpu());
        long[] position = plan.position().toLongArray();
        int rows = (int) plan.rows();
        double[] yp = uniform(r, rows * width);
        double[] w = uniform(r, routing.tokens() * routing.topK());
        Tensor y = Fused.moeUnpermute(Tensor.of(yp).view(rows, width).to(DType.F32),
                plan, Tensor.of(w).view(routing.tokens(), routing.topK()).to(DType.F32));
        double[] got = y.toDoubleArray();
        for (int t = 0; t < routing.tokens(); t++) {
            for (int h = 0; h < width; h++) {
                double sum = 0;
                double size = 0;
                for (int k = 0; k < routing.topK(); k++) {
                    long p = position[t * routing.topK() + k];
                    if (p >= 0) {
                        double term = (float) w[t * routing.topK() + k] * (double) (float) yp[(int) p * width + h];
                        sum += term;
                        size += Math.abs(term);
                    }
                }
                double err = Math.abs(got[t * width + h] - sum);
                assertTrue(err <= (routing.topK() + 1) * 0x1p-23 * size, "y[" + t + ", " + h + "] = "
                        + got[t * width + h] + ", naive " + sum);
            }
        }
    }

    /** On the cpu both run the same GEMM on the same operands, so the bits must match. */
    @Property(tries = 60)
    void groupedMatmulIsAMatmulPerExpertSlice(@ForAll long seed, @ForAll @LongRange(min = 1, max = 40) long in) {
        Routing routing = Routing.draw(seed, 50);
        Random r = new Random(seed);
        long out = 1 + r.nextInt(40);
        Generator g = new Generator(seed);
        MoePlan plan = routing.plan(Device.cpu());
        Tensor xp = Tensor.randn(g, plan.rows(), in);
        List<Tensor> weights = new ArrayList<>();
        for (int e = 0; e < routing.experts(); e++) {
            weights.add(Tensor.randn(g, out, in));
        }
        Tensor y = Fused.groupedMatmul(xp, plan.counts(), weights);
        long first = 0;
        long[] counts = plan.counts().toLongArray();
        for (int e = 0; e < counts.length; e++) {
            Tensor slice = xp.narrow(0, first, counts[e]).matmul(weights.get(e).transpose(0, 1));
            assertArrayEquals(slice.toDoubleArray(), y.narrow(0, first, counts[e]).toDoubleArray(), "expert " + e);
            first += counts[e];
        }
    }

    /** The whole dispatch forward and backward: idle experts get exact zero weight gradients, dropped slots zero weight gradients. */
    @Test
    void idleExpertsAndDroppedSlotsGetExactZeroGradients() {
        for (Device device : DEVICES) {
            for (long tokens : new long[] {0, 5}) {
                Generator g = new Generator(7);
                long[] ids = new long[(int) tokens * 2];
                for (int a = 0; a < ids.length; a++) {
                    ids[a] = a % 2 == 0 ? 0 : 2; // experts 1 and 3 get nothing
                }
                MoePlan plan = Fused.moePlan(Tensor.of(ids).view(tokens, 2).to(device), 4, 3);
                Tensor x = Tensor.randn(g, tokens, 6).to(device).requiresGrad(true);
                Tensor w = Tensor.rand(g, tokens, 2).to(device).requiresGrad(true);
                List<Tensor> experts = new ArrayList<>();
                for (int e = 0; e < 4; e++) {
                    experts.add(Tensor.randn(g, 6, 6).to(device).requiresGrad(true));
                }
                Tensor y = Fused.moeUnpermute(Fused.groupedMatmul(Fused.moePermute(x, plan), plan.counts(), experts), plan, w);
                assertArrayEquals(new long[] {tokens, 6}, y.shape());
                y.square().sum().backward();
                for (int e : new int[] {1, 3}) {
                    for (double v : experts.get(e).grad().toDoubleArray()) {
                        assertEquals(0.0, v, "an idle expert's gradient on " + device);
                        assertEquals(0, Double.compare(0.0, v), "+0.0, not -0.0 or NaN");
                    }
                }
                double[] gradW = w.grad().toDoubleArray();
                long[] position = plan.position().toLongArray();
                for (int a = 0; a < gradW.length; a++) {
                    if (position[a] < 0) {
                        assertEquals(0.0, gradW[a], "a dropped slot's weight gradient on " + device);
                    }
                }
                assertEquals(tokens == 0 ? 0 : 4, plan.dropped(), "capacity 3 of 5 tokens drops 2 per used expert");
                assertArrayEquals(new long[] {tokens, 6}, x.grad().shape());
            }
        }
    }

    /** REFERENCE §7.11: shuffling the tokens shuffles the outputs the same way, exactly (the sums are gather-based). */
    @Property(tries = 40)
    void shufflingTokensShufflesTheOutputs(@ForAll long seed) {
        Routing routing = Routing.draw(seed, 40);
        Random r = new Random(seed);
        int tokens = routing.tokens();
        int topK = routing.topK();
        long[] shuffle = new long[tokens];
        for (int t = 0; t < tokens; t++) {
            shuffle[t] = t;
        }
        for (int t = tokens - 1; t > 0; t--) {
            int j = r.nextInt(t + 1);
            long swap = shuffle[t];
            shuffle[t] = shuffle[j];
            shuffle[j] = swap;
        }
        long[] shuffledIds = new long[routing.ids().length];
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(routing.ids(), (int) shuffle[t] * topK, shuffledIds, t * topK, topK);
        }
        Generator g = new Generator(seed);
        Tensor x = Tensor.randn(g, tokens, 9);
        Tensor w = Tensor.rand(g, tokens, topK);
        List<Tensor> experts = new ArrayList<>();
        for (int e = 0; e < routing.experts(); e++) {
            experts.add(Tensor.randn(g, 5, 9));
        }
        Tensor index = Tensor.of(shuffle);
        Routing shuffled = new Routing(shuffledIds, tokens, topK, routing.experts(), Long.MAX_VALUE);
        Routing dropless = new Routing(routing.ids(), tokens, topK, routing.experts(), Long.MAX_VALUE);
        Tensor y = dispatch(dropless.plan(Device.cpu()), x, w, experts);
        Tensor ys = dispatch(shuffled.plan(Device.cpu()), x.indexSelect(0, index), w.indexSelect(0, index), experts);
        assertArrayEquals(y.indexSelect(0, index).toDoubleArray(), ys.toDoubleArray());
    }

    private static Tensor dispatch(MoePlan plan, Tensor x, Tensor w, List<Tensor> experts) {
        return Fused.moeUnpermute(Fused.groupedMatmul(Fused.moePermute(x, plan), plan.counts(), experts), plan, w);
    }

    private static double[] uniform(Random r, int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = 2 * r.nextDouble() - 1;
        }
        return values;
    }
}
