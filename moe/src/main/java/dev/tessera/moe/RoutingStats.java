package dev.tessera.moe;

/**
 * Routing loads summed over forwards (micro-batches, steps, an epoch): add each forward's
 * {@link DeepSeekMoE#lastRouting()}, read the {@link #total()}, {@link #reset()} when a window ends.
 * The total of one optimizer step's forwards is what {@link DeepSeekMoE#updateBias} takes.
 */
public final class RoutingStats {
    private ExpertLoad total;
    private long forwards;

    /** An empty accumulator for {@code experts} experts, {@code topK} per token. */
    public RoutingStats(int experts, int topK) {
        this.total = ExpertLoad.empty(experts, topK);
    }

    /** Adds one forward's load. */
    public void add(ExpertLoad load) {
        total = total.plus(load);
        forwards++;
    }

    /** The sum of every load added since construction or the last reset. */
    public ExpertLoad total() {
        return total;
    }

    /** The loads added since construction or the last reset. */
    public long forwards() {
        return forwards;
    }

    /** Forgets every load added. */
    public void reset() {
        total = ExpertLoad.empty(total.numExperts(), total.topK());
        forwards = 0;
    }

    @Override
    public String toString() {
        return "RoutingStats[forwards=" + forwards + ", " + total + "]";
    }
}
