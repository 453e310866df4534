package dev.tessera.moe.demo.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The project's own corpus: samples of every {@link SyntheticKind}, mixed by fixed weights,
 * deterministic from a seed. Each sample first draws its kind (so the mixture holds in both
 * splits), then draws samples of that kind until one lands in the wanted split
 * ({@link HeldOutRule}). The training and held-out streams use different Philox streams.
 */
public final class SyntheticCorpus implements Corpus {
    /**
     * No sample has more tokens (BOS, bytes, EOS): the longest are records of four fields and
     * grammar sentences with a prepositional phrase. Rows of T >= 63 inputs hold any sample.
     */
    public static final int MAX_TOKENS = 64;
    private static final int TRAIN_STREAM = 0;
    private static final int HELD_OUT_STREAM = 1;
    private static final SyntheticKind[] KINDS = SyntheticKind.values();

    private final long seed;
    private final double[] cumulative;

    /** Every kind equally often. */
    public SyntheticCorpus(long seed) {
        this(seed, equalWeights());
    }

    /**
     * Kinds mixed by {@code weights}, one per {@link SyntheticKind} in declaration order,
     * non-negative with a positive sum (normalised here).
     */
    public SyntheticCorpus(long seed, double[] weights) {
        if (weights.length != KINDS.length) {
            throw new IllegalArgumentException("SyntheticCorpus: " + weights.length + " weights for "
                    + KINDS.length + " kinds " + Arrays.toString(KINDS));
        }
        double sum = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("SyntheticCorpus: weights must be finite and non-negative, got "
                        + Arrays.toString(weights));
            }
            sum += w;
        }
        if (sum <= 0) {
            throw new IllegalArgumentException("SyntheticCorpus: weights must not all be zero");
        }
        this.seed = seed;
        this.cumulative = new double[weights.length];
        double running = 0;
        int lastDrawn = 0;
        for (int k = 0; k < weights.length; k++) {
            running += weights[k] / sum;
            cumulative[k] = running;
            lastDrawn = weights[k] > 0 ? k : lastDrawn;
        }
        // rounding may leave the sum a hair below 1: the last kind that can be drawn takes the rest
        cumulative[lastDrawn] = Double.POSITIVE_INFINITY;
    }

    private static double[] equalWeights() {
        double[] weights = new double[KINDS.length];
        Arrays.fill(weights, 1);
        return weights;
    }

    @Override
    public List<String> kinds() {
        return Arrays.stream(KINDS).map(SyntheticKind::label).toList();
    }

    @Override
    public Iterator<Sample> train() {
        return stream(TRAIN_STREAM, false);
    }

    @Override
    public List<Sample> heldOut(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("SyntheticCorpus.heldOut: max must be non-negative, got " + max);
        }
        Iterator<Sample> samples = stream(HELD_OUT_STREAM, true);
        List<Sample> out = new ArrayList<>(max);
        while (out.size() < max) {
            out.add(samples.next());
        }
        return out;
    }

    private Iterator<Sample> stream(int streamId, boolean heldOut) {
        SampleRandom random = new SampleRandom(seed, streamId);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Sample next() {
                int kind = drawKind(random);
                while (true) {
                    SyntheticKind.Prompted drawn = KINDS[kind].draw(random);
                    Sample sample = Sample.whole(kind, drawn.prompt(), drawn.completion());
                    if (HeldOutRule.isHeldOut(sample.bytes()) == heldOut) {
                        return sample;
                    }
                }
            }
        };
    }

    private int drawKind(SampleRandom random) {
        double u = random.nextDouble();
        int k = 0;
        while (u >= cumulative[k]) {
            k++;
        }
        return k;
    }
}
