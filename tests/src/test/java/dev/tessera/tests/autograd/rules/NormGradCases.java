package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Op;
import java.util.List;
import java.util.Map;

/**
 * Gradient cases of the fused RMSNorm: x of rank 1 to 3 (n = 1 included), a weight that is a
 * constant one case in four, and an eps from 1e-6 to 0.1. Values stay away from an all-zero row,
 * whose r = eps^-1/2 would make the central differences stiff.
 */
final class NormGradCases {
    private static final double[] EPSILONS = {1e-6, 1e-3, 0.1};

    private NormGradCases() {}

    static void addTo(Map<Op, GradCaseMaker> makers) {
        makers.put(Op.RMS_NORM, NormGradCases::rmsNorm);
    }

    private static GradCase rmsNorm(Draw d) {
        long[] shape = d.shape(1, 3);
        long n = shape[shape.length - 1];
        GradInput x = d.input("x", shape, d.awayFromZero(GradLayout.numel(shape), 0.2, 3));
        double[] weights = d.uniform(n, -2, 2);
        GradInput w = d.oneIn(4) ? d.constant("weight", new long[] {n}, weights) : d.input("weight", new long[] {n}, weights);
        double eps = EPSILONS[d.between(0, EPSILONS.length - 1)];
        return d.done(Op.RMS_NORM, "eps=" + eps, List.of(x, w),
                (in, device) -> List.of(Fused.rmsNorm(in.get(0), in.get(1), eps)));
    }
}
