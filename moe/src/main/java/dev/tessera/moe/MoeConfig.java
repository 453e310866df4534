package dev.tessera.moe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The shape and routing of a DeepSeek-style MoE model, with the meanings of the Hugging Face
 * {@code DeepseekForCausalLM} config keys (the DeepSeekMoE 16B layout, plus the V2/V3 routing keys)
 * and Tessera's own balancing and dropping settings.
 *
 * <p>Routing keys: {@code hidden_size}, {@code moe_intermediate_size} (width of one routed
 * expert), {@code n_routed_experts}, {@code n_shared_experts} (the shared expert is one SwiGLU of
 * width {@code n_shared_experts * moe_intermediate_size}; 0 = none), {@code num_experts_per_tok}
 * (K), {@code n_group} and {@code topk_group} (group-limited routing: keep the best
 * {@code topk_group} of {@code n_group} groups of consecutive experts), {@code routed_scaling_factor}
 * (rho), {@code scoring_func}, {@code norm_topk_prob}, {@code topk_method}, {@code
 * first_k_dense_replace} and {@code moe_layer_freq} (which layers are MoE), {@code aux_loss_alpha}
 * and {@code seq_aux} (the expert-level balance loss, per sequence or over the batch).
 *
 * <p>Transformer keys: {@code vocab_size}, {@code intermediate_size} (the dense SwiGLU),
 * {@code num_hidden_layers}, {@code num_attention_heads}, {@code num_key_value_heads},
 * {@code rope_theta}, {@code rms_norm_eps}, {@code tie_word_embeddings},
 * {@code max_position_embeddings}.
 *
 * <p>Tessera's keys (read from a config.json too when present): {@code bias_update_speed} (gamma of
 * the aux-loss-free bias update), {@code capacity_factor} (absent = dropless), {@code
 * seq_balance_alpha} (the V3 complementary sequence-wise loss), {@code router_z_loss_coef},
 * {@code router_noise} (noisy top-k gating in training).
 *
 * <p>Defaults (the builder's and those of keys absent from a config.json) are the values of the
 * released DeepSeekMoE 16B config.json (hidden 2048, moe_intermediate 1408, 64 routed experts, 2
 * shared, top-6, softmax, greedy, no normalisation, rho 1, first_k_dense_replace 1, aux_loss_alpha
 * 0.001, seq_aux true, vocab 102400, intermediate 10944, 28 layers, 16 heads, rope_theta 10000,
 * rms_norm_eps 1e-6, 4096 positions, untied embeddings); num_key_value_heads defaults to
 * num_attention_heads; the V2/V3-only keys default to what leaves routing unchanged (n_group 1,
 * topk_group 1); Tessera's to bias_update_speed 0.001 ([MLM]'s default), dropless, and no
 * sequence loss, z-loss or noise.
 */
public record MoeConfig(
        long hiddenSize,
        long moeIntermediateSize,
        int nRoutedExperts,
        int nSharedExperts,
        int numExpertsPerTok,
        int nGroup,
        int topkGroup,
        double routedScalingFactor,
        ScoringFunc scoringFunc,
        boolean normTopkProb,
        TopkMethod topkMethod,
        int firstKDenseReplace,
        int moeLayerFreq,
        double auxLossAlpha,
        boolean seqAux,
        long vocabSize,
        long intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        double ropeTheta,
        double rmsNormEps,
        boolean tieWordEmbeddings,
        long maxPositionEmbeddings,
        double biasUpdateSpeed,
        OptionalDouble capacityFactor,
        double seqBalanceAlpha,
        double routerZLossCoef,
        boolean routerNoise) {

    /** How router logits become affinities ({@code scoring_func}). */
    public enum ScoringFunc {
        /** softmax over the routed experts (DeepSeekMoE, V2). */
        SOFTMAX("softmax"),
        /** a sigmoid per expert (V3). */
        SIGMOID("sigmoid");

        private final String hfName;

        ScoringFunc(String hfName) {
            this.hfName = hfName;
        }

        /** The value of {@code scoring_func} in a config.json. */
        public String hfName() {
            return hfName;
        }
    }

    /** How experts are chosen ({@code topk_method}). */
    public enum TopkMethod {
        /** plain top-k over all routed experts. */
        GREEDY("greedy"),
        /** V2: keep the topk_group groups whose best affinity is highest, then top-k. */
        GROUP_LIMITED_GREEDY("group_limited_greedy"),
        /** V3: selection on affinity + e_score_correction_bias; groups ranked by their top-2 sum. */
        NOAUX_TC("noaux_tc");

        private final String hfName;

        TopkMethod(String hfName) {
            this.hfName = hfName;
        }

        /** The value of {@code topk_method} in a config.json. */
        public String hfName() {
            return hfName;
        }
    }

    /**
     * Refuses settings no layer can have, listing every problem with the keys that disagree. How the
     * attention heads divide hidden_size is the transformer's to check (a layer alone does not care).
     */
    public MoeConfig {
        if (scoringFunc == null || topkMethod == null || capacityFactor == null) {
            throw new IllegalArgumentException("MoeConfig: scoring_func, topk_method and capacity_factor must not be null"
                    + " (capacity_factor is OptionalDouble.empty() for dropless)");
        }
        List<String> problems = new ArrayList<>();
        atLeast(problems, "hidden_size", hiddenSize, 1);
        atLeast(problems, "moe_intermediate_size", moeIntermediateSize, 1);
        atLeast(problems, "n_routed_experts", nRoutedExperts, 1);
        atLeast(problems, "n_shared_experts", nSharedExperts, 0);
        atLeast(problems, "num_experts_per_tok", numExpertsPerTok, 1);
        atLeast(problems, "n_group", nGroup, 1);
        atLeast(problems, "topk_group", topkGroup, 1);
        atLeast(problems, "first_k_dense_replace", firstKDenseReplace, 0);
        atLeast(problems, "moe_layer_freq", moeLayerFreq, 1);
        atLeast(problems, "vocab_size", vocabSize, 1);
        atLeast(problems, "intermediate_size", intermediateSize, 1);
        atLeast(problems, "num_hidden_layers", numHiddenLayers, 0);
        atLeast(problems, "num_attention_heads", numAttentionHeads, 1);
        atLeast(problems, "num_key_value_heads", numKeyValueHeads, 1);
        atLeast(problems, "max_position_embeddings", maxPositionEmbeddings, 1);
        if (numExpertsPerTok > nRoutedExperts) {
            problems.add("num_experts_per_tok (" + numExpertsPerTok + ") exceeds n_routed_experts (" + nRoutedExperts + ")");
        }
        if (nGroup >= 1 && nRoutedExperts % nGroup != 0) {
            problems.add("n_group (" + nGroup + ") does not divide n_routed_experts (" + nRoutedExperts + ")");
        }
        if (topkGroup > nGroup) {
            problems.add("topk_group (" + topkGroup + ") exceeds n_group (" + nGroup + ")");
        }
        boolean groupLimited = topkMethod != TopkMethod.GREEDY && nGroup > 1;
        if (groupLimited && topkGroup <= nGroup && nRoutedExperts % nGroup == 0
                && numExpertsPerTok > (long) topkGroup * (nRoutedExperts / nGroup)) {
            problems.add("num_experts_per_tok (" + numExpertsPerTok + ") exceeds the experts of the topk_group ("
                    + topkGroup + ") groups kept, each of n_routed_experts / n_group = " + nRoutedExperts + " / " + nGroup
                    + " = " + nRoutedExperts / nGroup + " experts, with topk_method " + topkMethod.hfName());
        }
        positive(problems, "routed_scaling_factor", routedScalingFactor);
        positive(problems, "rope_theta", ropeTheta);
        nonNegative(problems, "rms_norm_eps", rmsNormEps);
        nonNegative(problems, "aux_loss_alpha", auxLossAlpha);
        nonNegative(problems, "bias_update_speed", biasUpdateSpeed);
        nonNegative(problems, "seq_balance_alpha", seqBalanceAlpha);
        nonNegative(problems, "router_z_loss_coef", routerZLossCoef);
        if (capacityFactor.isPresent()) {
            positive(problems, "capacity_factor", capacityFactor.getAsDouble());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("MoeConfig: " + String.join("; ", problems));
        }
    }

    /** A builder holding the defaults listed in the class comment. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values, to change a few. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The config in a Hugging Face {@code config.json}. Unknown keys are ignored; absent keys take
     * the defaults of the class comment; {@code null} means absent, but for {@code n_shared_experts}
     * (null = no shared expert, as in Hugging Face) and {@code n_routed_experts} /
     * {@code num_experts_per_tok} (null = a dense model, refused).
     *
     * @throws IOException if the file is not JSON or a key has the wrong type, naming the file and key
     * @throws IllegalArgumentException if the values disagree (see the constructor)
     */
    public static MoeConfig fromHfConfig(Path configJson) throws IOException {
        return HfConfigReader.read(configJson);
    }

    /** True when routing adds {@code e_score_correction_bias} to the scores to choose experts ({@code noaux_tc}). */
    public boolean hasCorrectionBias() {
        return topkMethod == TopkMethod.NOAUX_TC;
    }

    /** True when selection is limited to the best {@code topk_group} of {@code n_group} groups. */
    public boolean isGroupLimited() {
        return topkMethod != TopkMethod.GREEDY && nGroup > 1;
    }

    /** Routed experts per group. */
    public int expertsPerGroup() {
        return nRoutedExperts / nGroup;
    }

    /** True when transformer layer {@code layer} (from 0) uses the MoE feed-forward, as Hugging Face decides it. */
    public boolean isMoeLayer(int layer) {
        return layer >= firstKDenseReplace && layer % moeLayerFreq == 0;
    }

    /**
     * Rows an expert keeps for {@code tokens} tokens: ceil(T * K / E * capacity_factor), or
     * {@link Long#MAX_VALUE} when dropless.
     */
    public long capacity(long tokens) {
        if (capacityFactor.isEmpty()) {
            return Long.MAX_VALUE;
        }
        return (long) Math.ceil((double) tokens * numExpertsPerTok / nRoutedExperts * capacityFactor.getAsDouble());
    }

    private static void atLeast(List<String> problems, String key, long value, long least) {
        if (value < least) {
            problems.add(key + " must be at least " + least + ", got " + value);
        }
    }

    private static void positive(List<String> problems, String key, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            problems.add(key + " must be positive and finite, got " + value);
        }
    }

    private static void nonNegative(List<String> problems, String key, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            problems.add(key + " must be non-negative and finite, got " + value);
        }
    }

    /** Collects values and checks them once, in {@link #build}. */
    public static final class Builder {
        private long hiddenSize = 2048;
        private long moeIntermediateSize = 1408;
        private int nRoutedExperts = 64;
        private int nSharedExperts = 2;
        private int numExpertsPerTok = 6;
        private int nGroup = 1;
        private int topkGroup = 1;
        private double routedScalingFactor = 1.0;
        private ScoringFunc scoringFunc = ScoringFunc.SOFTMAX;
        private boolean normTopkProb = false;
        private TopkMethod topkMethod = TopkMethod.GREEDY;
        private int firstKDenseReplace = 1;
        private int moeLayerFreq = 1;
        private double auxLossAlpha = 0.001;
        private boolean seqAux = true;
        private long vocabSize = 102400;
        private long intermediateSize = 10944;
        private int numHiddenLayers = 28;
        private int numAttentionHeads = 16;
        private Integer numKeyValueHeads = null; // null: the same as numAttentionHeads
        private double ropeTheta = 10000.0;
        private double rmsNormEps = 1e-6;
        private boolean tieWordEmbeddings = false;
        private long maxPositionEmbeddings = 4096;
        private double biasUpdateSpeed = 0.001;
        private OptionalDouble capacityFactor = OptionalDouble.empty();
        private double seqBalanceAlpha = 0;
        private double routerZLossCoef = 0;
        private boolean routerNoise = false;

        private Builder() {}

        private Builder(MoeConfig c) {
            hiddenSize = c.hiddenSize;
            moeIntermediateSize = c.moeIntermediateSize;
            nRoutedExperts = c.nRoutedExperts;
            nSharedExperts = c.nSharedExperts;
            numExpertsPerTok = c.numExpertsPerTok;
            nGroup = c.nGroup;
            topkGroup = c.topkGroup;
            routedScalingFactor = c.routedScalingFactor;
            scoringFunc = c.scoringFunc;
            normTopkProb = c.normTopkProb;
            topkMethod = c.topkMethod;
            firstKDenseReplace = c.firstKDenseReplace;
            moeLayerFreq = c.moeLayerFreq;
            auxLossAlpha = c.auxLossAlpha;
            seqAux = c.seqAux;
            vocabSize = c.vocabSize;
            intermediateSize = c.intermediateSize;
            numHiddenLayers = c.numHiddenLayers;
            numAttentionHeads = c.numAttentionHeads;
            numKeyValueHeads = c.numKeyValueHeads;
            ropeTheta = c.ropeTheta;
            rmsNormEps = c.rmsNormEps;
            tieWordEmbeddings = c.tieWordEmbeddings;
            maxPositionEmbeddings = c.maxPositionEmbeddings;
            biasUpdateSpeed = c.biasUpdateSpeed;
            capacityFactor = c.capacityFactor;
            seqBalanceAlpha = c.seqBalanceAlpha;
            routerZLossCoef = c.routerZLossCoef;
            routerNoise = c.routerNoise;
        }

        /** {@code hidden_size}. */
        public Builder hidden(long v) {
            hiddenSize = v;
            return this;
        }

        /** {@code moe_intermediate_size}: the width of one routed expert. */
        public Builder moeIntermediate(long v) {
            moeIntermediateSize = v;
            return this;
        }

        /** {@code n_routed_experts}. */
        public Builder routedExperts(int v) {
            nRoutedExperts = v;
            return this;
        }

        /** {@code n_shared_experts} (0: none). */
        public Builder sharedExperts(int v) {
            nSharedExperts = v;
            return this;
        }

        /** {@code num_experts_per_tok}. */
        public Builder topK(int v) {
            numExpertsPerTok = v;
            return this;
        }

        /** {@code n_group} and {@code topk_group}. */
        public Builder groups(int nGroup, int topkGroup) {
            this.nGroup = nGroup;
            this.topkGroup = topkGroup;
            return this;
        }

        /** {@code routed_scaling_factor}. */
        public Builder routedScalingFactor(double v) {
            routedScalingFactor = v;
            return this;
        }

        /** {@code scoring_func}. */
        public Builder scoring(ScoringFunc v) {
            scoringFunc = v;
            return this;
        }

        /** {@code norm_topk_prob}. */
        public Builder normTopkProb(boolean v) {
            normTopkProb = v;
            return this;
        }

        /** {@code topk_method}. */
        public Builder topkMethod(TopkMethod v) {
            topkMethod = v;
            return this;
        }

        /** {@code first_k_dense_replace}. */
        public Builder firstKDenseReplace(int v) {
            firstKDenseReplace = v;
            return this;
        }

        /** {@code moe_layer_freq}. */
        public Builder moeLayerFreq(int v) {
            moeLayerFreq = v;
            return this;
        }

        /** {@code aux_loss_alpha}: the coefficient of the expert-level balance loss. */
        public Builder auxLossAlpha(double v) {
            auxLossAlpha = v;
            return this;
        }

        /** {@code seq_aux}: the expert-level loss per sequence (true) or over the whole batch. */
        public Builder seqAux(boolean v) {
            seqAux = v;
            return this;
        }

        /** {@code vocab_size}. */
        public Builder vocabSize(long v) {
            vocabSize = v;
            return this;
        }

        /** {@code intermediate_size}: the dense SwiGLU's width. */
        public Builder intermediate(long v) {
            intermediateSize = v;
            return this;
        }

        /** {@code num_hidden_layers}. */
        public Builder layers(int v) {
            numHiddenLayers = v;
            return this;
        }

        /** {@code num_attention_heads}. */
        public Builder heads(int v) {
            numAttentionHeads = v;
            return this;
        }

        /** {@code num_key_value_heads} (unset: the same as num_attention_heads). */
        public Builder kvHeads(int v) {
            numKeyValueHeads = v;
            return this;
        }

        /** {@code rope_theta}. */
        public Builder ropeTheta(double v) {
            ropeTheta = v;
            return this;
        }

        /** {@code rms_norm_eps}. */
        public Builder rmsNormEps(double v) {
            rmsNormEps = v;
            return this;
        }

        /** {@code tie_word_embeddings}. */
        public Builder tieWordEmbeddings(boolean v) {
            tieWordEmbeddings = v;
            return this;
        }

        /** {@code max_position_embeddings}. */
        public Builder maxPositionEmbeddings(long v) {
            maxPositionEmbeddings = v;
            return this;
        }

        /** Tessera's {@code bias_update_speed}: gamma of {@link DeepSeekRouter#updateBias}. */
        public Builder biasUpdateSpeed(double v) {
            biasUpdateSpeed = v;
            return this;
        }

        /** Tessera's {@code capacity_factor}: each expert keeps ceil(T * K / E * v) rows. */
        public Builder capacityFactor(double v) {
            capacityFactor = OptionalDouble.of(v);
            return this;
        }

        /** No capacity: every assignment is kept (the default). */
        public Builder dropless() {
            capacityFactor = OptionalDouble.empty();
            return this;
        }

        /** Tessera's {@code seq_balance_alpha}: the coefficient of the V3 sequence-wise balance loss. */
        public Builder seqBalanceAlpha(double v) {
            seqBalanceAlpha = v;
            return this;
        }

        /** Tessera's {@code router_z_loss_coef}. */
        public Builder routerZLossCoef(double v) {
            routerZLossCoef = v;
            return this;
        }

        /** Tessera's {@code router_noise}: noisy top-k gating in training mode. */
        public Builder routerNoise(boolean v) {
            routerNoise = v;
            return this;
        }

        /** The config, checked (see {@link MoeConfig#MoeConfig}). */
        public MoeConfig build() {
            return new MoeConfig(hiddenSize, moeIntermediateSize, nRoutedExperts, nSharedExperts, numExpertsPerTok,
                    nGroup, topkGroup, routedScalingFactor, scoringFunc, normTopkProb, topkMethod, firstKDenseReplace,
                    moeLayerFreq, auxLossAlpha, seqAux, vocabSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                    numKeyValueHeads == null ? numAttentionHeads : numKeyValueHeads, ropeTheta, rmsNormEps,
                    tieWordEmbeddings, maxPositionEmbeddings, biasUpdateSpeed, capacityFactor, seqBalanceAlpha,
                    routerZLossCoef, routerNoise);
        }
    }
}
