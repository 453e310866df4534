package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gradient cases of attention: tiny shapes (every element is stepped twice), grouped kv heads,
 * Nq and Nk either way round (causal with Nq > Nk leaves rows that see no key: their gradients
 * are 0), a constant additive mask broadcast over heads some of the time, and inputs that do not
 * require grad.
 */
final class AttentionGradCases {
    private AttentionGradCases() {}

    static void addTo(Map<Op, GradCaseMaker> makers) {
        makers.put(Op.ATTENTION, AttentionGradCases::attention);
    }

    private static GradCase attention(Draw d) {
        int heads = d.between(1, 2) * d.between(1, 2);
        int kvHeads = heads % 2 == 0 && d.coin() ? heads / 2 : heads;
        long queries = d.between(1, 4);
        long keys = d.between(1, 4);
        long headDim = d.between(1, 3);
        long valueDim = d.between(1, 3);
        boolean causal = d.coin();
        double scale = 0.5 + d.random().nextDouble();
        int constant = d.between(0, 5); // q, k or v requires no grad half of the time
        List<GradInput> inputs = new ArrayList<>();
        inputs.add(input(d, "q", new long[] {1, heads, queries, headDim}, constant == 0));
        inputs.add(input(d, "k", new long[] {1, kvHeads, keys, headDim}, constant == 1));
        inputs.add(input(d, "v", new long[] {1, kvHeads, keys, valueDim}, constant == 2));
        boolean masked = d.coin();
        if (masked) {
            long[] maskShape = {queries, keys};
            inputs.add(d.constant("mask", maskShape, d.uniform(queries * keys, -1, 1)));
        }
        return d.done(Op.ATTENTION, "scale=" + scale + ", causal=" + causal, inputs, (in, device) -> List.of(
                Fused.attention(in.get(0), in.get(1), in.get(2), masked ? in.get(3) : null, scale, causal)));
    }

    private static GradInput input(Draw d, String name, long[] shape, boolean constant) {
        double[] values = d.uniform(GradLayout.numel(shape), -1.5, 1.5);
        return constant ? d.constant(name, shape, values) : d.input(name, shape, values);
    }
}
