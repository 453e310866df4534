package dev.tessera.moe.demo.metrics;

import dev.tessera.moe.demo.data.Batch;
import dev.tessera.moe.demo.data.Tokens;
import java.util.Arrays;

/**
 * Sums per-token losses by kind of data: feed each batch with its unreduced losses (cross-entropy
 * with {@code Reduction.NONE}, flattened row-major), read each kind's mean. Positions without a
 * target or a kind are left out. Sums are in double, in position order, so the means are the same
 * for the same inputs.
 */
public final class LossByKind {
    private final double[] sums;
    private final long[] counts;

    public LossByKind(int kinds) {
        if (kinds < 1) {
            throw new IllegalArgumentException("LossByKind: need at least one kind, got " + kinds);
        }
        this.sums = new double[kinds];
        this.counts = new long[kinds];
    }

    /** Adds {@code tokenLosses} [B * T], one per position of {@code batch}. */
    public void add(Batch batch, float[] tokenLosses) {
        int[] targets = batch.targets();
        int[] kinds = batch.kinds();
        if (tokenLosses.length != targets.length) {
            throw new IllegalArgumentException("LossByKind.add: " + tokenLosses.length + " losses for a batch of "
                    + batch.rows() + " x " + batch.length());
        }
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] == Tokens.IGNORE || kinds[i] == Tokens.NO_KIND) {
                continue;
            }
            if (kinds[i] >= sums.length) {
                throw new IllegalArgumentException("LossByKind.add: kind " + kinds[i] + " at position " + i
                        + ", but only " + sums.length + " kinds");
            }
            sums[kinds[i]] += tokenLosses[i];
            counts[kinds[i]]++;
        }
    }

    /** Each kind's mean loss, NaN for a kind without tokens. */
    public double[] means() {
        double[] means = new double[sums.length];
        for (int k = 0; k < means.length; k++) {
            means[k] = counts[k] == 0 ? Double.NaN : sums[k] / counts[k];
        }
        return means;
    }

    /** The mean over every counted token, NaN when none. */
    public double overall() {
        long tokens = Arrays.stream(counts).sum();
        return tokens == 0 ? Double.NaN : Arrays.stream(sums).sum() / tokens;
    }

    /** Tokens counted per kind. */
    public long[] tokens() {
        return counts.clone();
    }
}
