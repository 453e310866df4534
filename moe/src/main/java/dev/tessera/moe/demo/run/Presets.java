package dev.tessera.moe.demo.run;

import dev.tessera.moe.MoeConfig;
import dev.tessera.moe.cli.Preset;
import dev.tessera.moe.demo.data.Tokens;

/**
 * The built-in runs. Both route like DeepSeek-V3 (sigmoid affinities, selection on affinity plus
 * the aux-loss-free correction bias, the chosen weights normalised), because the default balancing
 * is that bias, which only {@code noaux_tc} routing has. Neither uses expert groups: groups bound
 * how many devices a token's experts span, a cost one CPU does not have, and they would only
 * narrow the choice the experts specialise through. The first layer is dense, as in DeepSeekMoE,
 * so the routers see contextual features rather than raw byte embeddings.
 */
public final class Presets {
    /** Tokens per training sequence: a synthetic sample has at most 64 tokens, so any fits a row of T + 1. */
    static final int LENGTH = 64;

    private Presets() {}

    public static RunSettings of(Preset preset) {
        return switch (preset) {
            case TINY -> tiny();
            case SMALL -> small();
        };
    }

    /**
     * Seconds on two cores, for tests: 2 layers (dense, then MoE of 8 experts of width 16, top-2,
     * 1 shared), hidden 32, 40 steps of 8 x 64 tokens.
     */
    static RunSettings tiny() {
        MoeConfig model = routing().hidden(32).heads(4).kvHeads(2).intermediate(64).layers(2).moeIntermediate(16)
                .routedExperts(8).sharedExperts(1).topK(2).build();
        return new RunSettings(model, 8, LENGTH, 40, 3e-3, 4, 0.1, 1.0, 20, 64, 20, 20, 1);
    }

    /**
     * The demo's: 3 layers (dense, then two MoE layers of 16 routed experts of width 48, top-4, 2
     * shared), hidden 96, 4 query and 2 key/value heads, 1,000 steps of 16 x 64 tokens. It trains at
     * about 5,700 tokens/s on two idle cores (3 minutes) and about 2,300 with the cores shared (7
     * minutes), inside the 10 the demo may take; experts specialise by kind within 600 steps.
     */
    static RunSettings small() {
        MoeConfig model = routing().hidden(96).heads(4).kvHeads(2).intermediate(256).layers(3).moeIntermediate(48)
                .routedExperts(16).sharedExperts(2).topK(4).build();
        return new RunSettings(model, 16, LENGTH, 1000, 3e-3, 30, 0.1, 1.0, 100, 384, 500, 20, 1);
    }

    /** The routing and vocabulary both presets share. */
    private static MoeConfig.Builder routing() {
        return MoeConfig.builder().vocabSize(Tokens.VOCAB_SIZE).firstKDenseReplace(1).moeLayerFreq(1)
                .scoring(MoeConfig.ScoringFunc.SIGMOID).topkMethod(MoeConfig.TopkMethod.NOAUX_TC).normTopkProb(true)
                .routedScalingFactor(1.0).groups(1, 1).auxLossAlpha(0).seqAux(true).seqBalanceAlpha(0.01)
                .biasUpdateSpeed(0.001).ropeTheta(10000).rmsNormEps(1e-6).tieWordEmbeddings(false)
                .maxPositionEmbeddings(4 * LENGTH);
    }
}
