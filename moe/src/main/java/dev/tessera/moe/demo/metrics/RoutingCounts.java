package dev.tessera.moe.demo.metrics;

import java.util.List;

/**
 * Routed (token, slot) assignments per MoE layer, kind of data and expert:
 * {@code counts[layer][kind][expert]}.
 */
public record RoutingCounts(List<String> kinds, int experts, long[][][] counts) {
    public RoutingCounts {
        kinds = List.copyOf(kinds);
        if (experts < 1 || counts.length == 0) {
            throw new IllegalArgumentException("RoutingCounts: " + counts.length + " layers of " + experts
                    + " experts: need at least one of each");
        }
        counts = Matrices.copy("RoutingCounts", counts, counts.length, kinds.size(), experts);
    }

    public int layers() {
        return counts.length;
    }

    @Override
    public long[][][] counts() {
        return Matrices.copy("RoutingCounts", counts, counts.length, kinds.size(), experts);
    }

    /**
     * {@code shares[kind][expert]} in {@code layer}: the part of the kind's assignments each expert got
     * (a row sums to 1; a kind never routed is a row of zeros).
     */
    public double[][] shares(int layer) {
        long[][] byKind = counts[layer];
        double[][] shares = new double[byKind.length][experts];
        for (int k = 0; k < byKind.length; k++) {
            long total = 0;
            for (long c : byKind[k]) {
                total += c;
            }
            for (int e = 0; e < experts && total > 0; e++) {
                shares[k][e] = (double) byKind[k][e] / total;
            }
        }
        return shares;
    }
}
