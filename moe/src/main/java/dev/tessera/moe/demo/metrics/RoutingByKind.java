package dev.tessera.moe.demo.metrics;

import dev.tessera.moe.demo.data.Tokens;
import java.util.List;

/**
 * Counts which experts each kind of data is routed to, per MoE layer: feed each layer's routing
 * (the experts chosen per token, {@code Routing.indices()} [N, K] flattened) with the batch's
 * kinds ([N], the same row-major token order); padding is not counted.
 */
public final class RoutingByKind {
    private final List<String> kinds;
    private final int experts;
    private final long[][][] counts;

    public RoutingByKind(int layers, List<String> kinds, int experts) {
        if (layers < 1 || experts < 1 || kinds.isEmpty()) {
            throw new IllegalArgumentException("RoutingByKind: " + layers + " layers, " + kinds.size() + " kinds, "
                    + experts + " experts: need at least one of each");
        }
        this.kinds = List.copyOf(kinds);
        this.experts = experts;
        this.counts = new long[layers][kinds.size()][experts];
    }

    /** Adds one forward of {@code layer}: {@code expertIds} holds K experts per token, token after token. */
    public void add(int layer, int[] tokenKinds, long[] expertIds, int topK) {
        if (layer < 0 || layer >= counts.length) {
            throw new IllegalArgumentException("RoutingByKind.add: layer " + layer + " of " + counts.length);
        }
        if (topK < 1 || expertIds.length != (long) tokenKinds.length * topK) {
            throw new IllegalArgumentException("RoutingByKind.add: " + expertIds.length + " expert ids for "
                    + tokenKinds.length + " tokens with K = " + topK);
        }
        for (int n = 0; n < tokenKinds.length; n++) {
            int kind = tokenKinds[n];
            if (kind == Tokens.NO_KIND) {
                continue;
            }
            if (kind < 0 || kind >= kinds.size()) {
                throw new IllegalArgumentException("RoutingByKind.add: kind " + kind + " at token " + n + " of "
                        + kinds.size() + " kinds");
            }
            for (int j = 0; j < topK; j++) {
                long expert = expertIds[n * topK + j];
                if (expert < 0 || expert >= experts) {
                    throw new IllegalArgumentException("RoutingByKind.add: expert " + expert + " at token " + n
                            + " of " + experts + " experts");
                }
                counts[layer][kind][(int) expert]++;
            }
        }
    }

    public RoutingCounts counts() {
        return new RoutingCounts(kinds, experts, counts);
    }
}
