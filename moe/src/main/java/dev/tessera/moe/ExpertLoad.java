package dev.tessera.moe;

import java.util.Arrays;

/**
 * How routing spread (token, slot) assignments over the routed experts, for one forward or
 * summed over many ({@link RoutingStats}). Loads are the assignments routed to each expert,
 * dropped ones included (the load the router created); the drops are counted apart.
 *
 * @param tokensPerExpert assignments routed to each expert [E]
 * @param droppedPerExpert of those, the ones the capacity dropped [E]
 * @param tokens tokens routed
 * @param topK experts per token
 */
public record ExpertLoad(long[] tokensPerExpert, long[] droppedPerExpert, long tokens, int topK) {

    /** Copies the arrays, which must have one entry per expert. */
    public ExpertLoad {
        if (tokensPerExpert.length == 0 || tokensPerExpert.length != droppedPerExpert.length) {
            throw new IllegalArgumentException("ExpertLoad: " + tokensPerExpert.length + " loads and "
                    + droppedPerExpert.length + " drop counts: need one of each per expert, at least one expert");
        }
        tokensPerExpert = tokensPerExpert.clone();
        droppedPerExpert = droppedPerExpert.clone();
    }

    /** No tokens yet, for {@code experts} experts. */
    public static ExpertLoad empty(int experts, int topK) {
        return new ExpertLoad(new long[experts], new long[experts], 0, topK);
    }

    @Override
    public long[] tokensPerExpert() {
        return tokensPerExpert.clone();
    }

    @Override
    public long[] droppedPerExpert() {
        return droppedPerExpert.clone();
    }

    /** E. */
    public int numExperts() {
        return tokensPerExpert.length;
    }

    /** All assignments routed: T * K. */
    public long assignments() {
        return Arrays.stream(tokensPerExpert).sum();
    }

    /** Assignments dropped by the capacity. */
    public long dropped() {
        return Arrays.stream(droppedPerExpert).sum();
    }

    /** The mean load, assignments / E. */
    public double meanLoad() {
        return (double) assignments() / numExperts();
    }

    /** The busiest expert's load over the mean load: 1 when perfectly balanced, E when one expert gets all; 0 without assignments. */
    public double maxOverMean() {
        double mean = meanLoad();
        return mean == 0 ? 0 : Arrays.stream(tokensPerExpert).max().orElseThrow() / mean;
    }

    /** The population standard deviation of the loads over their mean; 0 without assignments. */
    public double coefficientOfVariation() {
        double mean = meanLoad();
        if (mean == 0) {
            return 0;
        }
        double squares = 0;
        for (long c : tokensPerExpert) {
            squares += (c - mean) * (c - mean);
        }
        return Math.sqrt(squares / numExperts()) / mean;
    }

    /** The share of experts that got no assignment. */
    public double idleShare() {
        return (double) Arrays.stream(tokensPerExpert).filter(c -> c == 0).count() / numExperts();
    }

    /** -sum p_i ln p_i over the load shares p_i, in nats: ln E when balanced, 0 when one expert gets all (or none is routed). */
    public double entropy() {
        double total = assignments();
        double h = 0;
        for (long c : tokensPerExpert) {
            if (c > 0) {
                double p = c / total;
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    /** The sum of this load and {@code other}, which must have as many experts and the same K. */
    public ExpertLoad plus(ExpertLoad other) {
        if (other.numExperts() != numExperts() || other.topK != topK) {
            throw new IllegalArgumentException("ExpertLoad.plus: " + other.numExperts() + " experts, k=" + other.topK
                    + " against " + numExperts() + " experts, k=" + topK);
        }
        long[] load = new long[numExperts()];
        long[] drops = new long[numExperts()];
        for (int e = 0; e < load.length; e++) {
            load[e] = tokensPerExpert[e] + other.tokensPerExpert[e];
            drops[e] = droppedPerExpert[e] + other.droppedPerExpert[e];
        }
        return new ExpertLoad(load, drops, tokens + other.tokens, topK);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpertLoad l && tokens == l.tokens && topK == l.topK
                && Arrays.equals(tokensPerExpert, l.tokensPerExpert) && Arrays.equals(droppedPerExpert, l.droppedPerExpert);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(tokensPerExpert) + Arrays.hashCode(droppedPerExpert)) + Long.hashCode(tokens) + topK;
    }

    @Override
    public String toString() {
        return String.format("ExpertLoad[tokens=%d, k=%d, per expert=%s, max/mean=%.3f, cv=%.3f, idle=%.3f,"
                + " entropy=%.3f nats (balanced %.3f), dropped=%d]", tokens, topK, Arrays.toString(tokensPerExpert),
                maxOverMean(), coefficientOfVariation(), idleShare(), entropy(), Math.log(numExperts()), dropped());
    }
}
