package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.MoePlan;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Gradient cases of the MoE dispatch: a routing of 1 to 6 tokens over K = 1..3 slots and E = 1..4
 * experts, ids repeating (so a token may send two slots to one expert) and a capacity that drops
 * assignments half the time; grouped products over 1 to 4 experts, some with no rows, and weights
 * that are sometimes constants.
 */
final class MoeGradCases {
    private MoeGradCases() {}

    static void addTo(Map<Op, GradCaseMaker> makers) {
        makers.put(Op.MOE_PERMUTE, MoeGradCases::permute);
        makers.put(Op.MOE_UNPERMUTE, MoeGradCases::unpermute);
        makers.put(Op.GROUPED_MATMUL, MoeGradCases::groupedMatmul);
    }

    /** Ids [T, K] in [0, E) and a capacity, with the kept rows M counted as moe_plan counts them. */
    private record Routing(long[] ids, long tokens, int topK, int experts, long capacity, long rows) {
        static Routing draw(Draw d) {
            long tokens = d.between(1, 6);
            int topK = d.between(1, 3);
            int experts = d.between(1, 4);
            long[] ids = d.indices(tokens * topK, experts);
            long capacity = d.coin() ? Long.MAX_VALUE : d.between(0, 3);
            long[] perExpert = new long[experts];
            for (long id : ids) {
                perExpert[(int) id]++;
            }
            long rows = Arrays.stream(perExpert).map(c -> Math.min(c, capacity)).sum();
            return new Routing(ids, tokens, topK, experts, capacity, rows);
        }

        MoePlan plan(Device device) {
            return Fused.moePlan(Draw.indexTensor(ids, new long[] {tokens, topK}, device), experts, capacity);
        }

        @Override
        public String toString() {
            return "ids=" + Arrays.toString(ids) + " [" + tokens + ", " + topK + "], E=" + experts + ", capacity="
                    + (capacity == Long.MAX_VALUE ? "dropless" : capacity);
        }
    }

    private static GradCase permute(Draw d) {
        Routing routing = Routing.draw(d);
        long[] shape = {routing.tokens(), d.between(1, 4)};
        GradInput x = d.input("x", shape, d.uniform(GradLayout.numel(shape), -3, 3));
        return d.done(Op.MOE_PERMUTE, routing.toString(), List.of(x),
                (in, device) -> List.of(Fused.moePermute(in.get(0), routing.plan(device))));
    }

    /** yp [M, H] and weights [T, K]; either may be a constant. */
    private static GradCase unpermute(Draw d) {
        Routing routing = Routing.draw(d);
        long width = d.between(1, 4);
        long[] rows = {routing.rows(), width};
        long[] slots = {routing.tokens(), routing.topK()};
        double[] ypValues = d.uniform(GradLayout.numel(rows), -3, 3);
        double[] weightValues = d.uniform(GradLayout.numel(slots), -1, 1);
        boolean constantWeights = d.oneIn(4);
        GradInput yp = constantWeights || !d.oneIn(4) ? d.input("yp", rows, ypValues) : d.constant("yp", rows, ypValues);
        GradInput w = constantWeights ? d.constant("weights", slots, weightValues) : d.input("weights", slots, weightValues);
        return d.done(Op.MOE_UNPERMUTE, routing.toString(), List.of(yp, w),
                (in, device) -> List.of(Fused.moeUnpermute(in.get(0), routing.plan(device), in.get(1))));
    }

    /** Counts of 0 to 3 rows per expert (at least one row in all), In and Out of 1 to 4. */
    private static GradCase groupedMatmul(Draw d) {
        int experts = d.between(1, 4);
        long[] counts = new long[experts];
        for (int e = 0; e < experts; e++) {
            counts[e] = d.oneIn(3) ? 0 : d.between(1, 3);
        }
        counts[d.between(0, experts - 1)] = Math.max(1, counts[0]);
        long rows = Arrays.stream(counts).sum();
        long in = d.between(1, 4);
        long out = d.between(1, 4);
        List<GradInput> inputs = new ArrayList<>();
        double[] xValues = d.uniform(rows * in, -2, 2);
        boolean constantX = d.oneIn(5);
        inputs.add(constantX ? d.constant("xp", new long[] {rows, in}, xValues) : d.input("xp", new long[] {rows, in}, xValues));
        for (int e = 0; e < experts; e++) {
            double[] values = d.uniform(out * in, -2, 2);
            String name = "w" + e;
            // With a constant xp, weight 0 requires grad, so that the case has a gradient to check.
            boolean constant = d.oneIn(5) && !(constantX && e == 0);
            inputs.add(constant ? d.constant(name, new long[] {out, in}, values) : d.input(name, new long[] {out, in}, values));
        }
        return d.done(Op.GROUPED_MATMUL, "counts=" + Arrays.toString(counts), inputs, (all, device) -> {
            Tensor countTensor = Draw.indexTensor(counts, new long[] {experts}, device);
            return List.of(Fused.groupedMatmul(all.get(0), countTensor, all.subList(1, all.size())));
        });
    }
}
