package dev.tessera.tests.moe;

import dev.tessera.moe.MoeConfig;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.Random;

/** Random configs, inputs and array conversions shared by the MoE tests. */
final class MoeFixtures {
    private MoeFixtures() {}

    /**
     * A random valid routing config: 1..maxExperts experts, a group count dividing them, K up to 8
     * within what the groups allow, each scoring function and top-k method, rho in {1, 2.5, 16}.
     */
    static MoeConfig randomConfig(Random r, int maxExperts, int hidden, int intermediate) {
        int experts = 1 + r.nextInt(maxExperts);
        MoeConfig.TopkMethod method = MoeConfig.TopkMethod.values()[r.nextInt(3)];
        int groups = 1;
        int topkGroup = 1;
        if (method != MoeConfig.TopkMethod.GREEDY) {
            int[] divisors = java.util.stream.IntStream.rangeClosed(1, experts).filter(d -> experts % d == 0).toArray();
            groups = divisors[r.nextInt(divisors.length)];
            topkGroup = 1 + r.nextInt(groups);
        }
        int allowed = method == MoeConfig.TopkMethod.GREEDY || groups == 1 ? experts : topkGroup * (experts / groups);
        int k = 1 + r.nextInt(Math.min(8, allowed));
        double[] rhos = {1, 2.5, 16};
        return MoeConfig.builder().hidden(hidden).moeIntermediate(intermediate).routedExperts(experts)
                .sharedExperts(r.nextInt(3)).topK(k).groups(groups, topkGroup).topkMethod(method)
                .scoring(MoeConfig.ScoringFunc.values()[r.nextInt(2)]).normTopkProb(r.nextBoolean())
                .routedScalingFactor(rhos[r.nextInt(3)]).build();
    }

    /** A [rows, cols] F64 tensor from a 2-d array. */
    static Tensor tensor(double[][] rows, int cols) {
        double[] flat = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return Tensor.of(flat, rows.length, cols);
    }

    /** The rows of a 2-d tensor as doubles. */
    static double[][] rows(Tensor t) {
        int n = Math.toIntExact(t.size(0));
        int m = Math.toIntExact(t.size(1));
        double[] flat = t.to(DType.F64).toDoubleArray();
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * m, out[i], 0, m);
        }
        return out;
    }

    /** The rows of a 2-d I64 tensor. */
    static long[][] longRows(Tensor t) {
        int n = Math.toIntExact(t.size(0));
        int m = Math.toIntExact(t.size(1));
        long[] flat = t.toLongArray();
        long[][] out = new long[n][m];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * m, out[i], 0, m);
        }
        return out;
    }
}
