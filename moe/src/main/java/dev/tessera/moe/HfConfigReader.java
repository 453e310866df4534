package dev.tessera.moe;

import dev.tessera.tensor.io.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;

/** Reads a Hugging Face DeepSeek config.json into a {@link MoeConfig}, key by key, over the builder's defaults. */
final class HfConfigReader {
    private final Path file;
    private final Map<String, Object> members;

    private HfConfigReader(Path file, Map<String, Object> members) {
        this.file = file;
        this.members = members;
    }

    static MoeConfig read(Path file) throws IOException {
        if (!(Json.read(file) instanceof Map<?, ?> map)) {
            throw new IOException(file + ": the top level of a config.json must be an object");
        }
        @SuppressWarnings("unchecked") // Json.read gives objects as Map<String, Object>
        Map<String, Object> members = (Map<String, Object>) map;
        return new HfConfigReader(file, members).config();
    }

    private MoeConfig config() throws IOException {
        MoeConfig.Builder b = MoeConfig.builder();
        if (members.containsKey("n_routed_experts") && members.get("n_routed_experts") == null
                || members.containsKey("num_experts_per_tok") && members.get("num_experts_per_tok") == null) {
            throw new IOException(file + ": n_routed_experts or num_experts_per_tok is null: a dense model, not a MoE");
        }
        if (has("hidden_size")) b.hidden(whole("hidden_size"));
        if (has("moe_intermediate_size")) b.moeIntermediate(whole("moe_intermediate_size"));
        if (has("n_routed_experts")) b.routedExperts(integer("n_routed_experts"));
        if (members.containsKey("n_shared_experts")) {
            b.sharedExperts(members.get("n_shared_experts") == null ? 0 : integer("n_shared_experts"));
        }
        if (has("num_experts_per_tok")) b.topK(integer("num_experts_per_tok"));
        int nGroup = has("n_group") ? integer("n_group") : 1;
        int topkGroup = has("topk_group") ? integer("topk_group") : 1;
        b.groups(nGroup, topkGroup);
        if (has("routed_scaling_factor")) b.routedScalingFactor(number("routed_scaling_factor"));
        if (has("scoring_func")) b.scoring(scoringFunc(string("scoring_func")));
        if (has("norm_topk_prob")) b.normTopkProb(bool("norm_topk_prob"));
        if (has("topk_method")) b.topkMethod(topkMethod(string("topk_method")));
        if (has("first_k_dense_replace")) b.firstKDenseReplace(integer("first_k_dense_replace"));
        if (has("moe_layer_freq")) b.moeLayerFreq(integer("moe_layer_freq"));
        if (has("aux_loss_alpha")) b.auxLossAlpha(number("aux_loss_alpha"));
        if (has("seq_aux")) b.seqAux(bool("seq_aux"));
        if (has("vocab_size")) b.vocabSize(whole("vocab_size"));
        if (has("intermediate_size")) b.intermediate(whole("intermediate_size"));
        if (has("num_hidden_layers")) b.layers(integer("num_hidden_layers"));
        if (has("num_attention_heads")) b.heads(integer("num_attention_heads"));
        if (has("num_key_value_heads")) b.kvHeads(integer("num_key_value_heads"));
        if (has("rope_theta")) b.ropeTheta(number("rope_theta"));
        if (has("rms_norm_eps")) b.rmsNormEps(number("rms_norm_eps"));
        if (has("tie_word_embeddings")) b.tieWordEmbeddings(bool("tie_word_embeddings"));
        if (has("max_position_embeddings")) b.maxPositionEmbeddings(whole("max_position_embeddings"));
        if (has("bias_update_speed")) b.biasUpdateSpeed(number("bias_update_speed"));
        if (has("capacity_factor")) b.capacityFactor(number("capacity_factor"));
        if (has("seq_balance_alpha")) b.seqBalanceAlpha(number("seq_balance_alpha"));
        if (has("router_z_loss_coef")) b.routerZLossCoef(number("router_z_loss_coef"));
        if (has("router_noise")) b.routerNoise(bool("router_noise"));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Present and not null. */
    private boolean has(String key) {
        return members.get(key) != null;
    }

    private long whole(String key) throws IOException {
        BigDecimal n = numberValue(key);
        try {
            return n.longValueExact();
        } catch (ArithmeticException notALong) {
            throw error(key, "must be a whole number, found " + n);
        }
    }

    private int integer(String key) throws IOException {
        long n = whole(key);
        if (n != (int) n) {
            throw error(key, "does not fit an int: " + n);
        }
        return (int) n;
    }

    private double number(String key) throws IOException {
        double d = numberValue(key).doubleValue();
        if (!Double.isFinite(d)) {
            throw error(key, "is out of the range of a double");
        }
        return d;
    }

    private BigDecimal numberValue(String key) throws IOException {
        if (!(members.get(key) instanceof BigDecimal n)) {
            throw error(key, "must be a number, found " + Json.describe(members.get(key)));
        }
        return n;
    }

    private boolean bool(String key) throws IOException {
        if (!(members.get(key) instanceof Boolean b)) {
            throw error(key, "must be true or false, found " + Json.describe(members.get(key)));
        }
        return b;
    }

    private String string(String key) throws IOException {
        if (!(members.get(key) instanceof String s)) {
            throw error(key, "must be a string, found " + Json.describe(members.get(key)));
        }
        return s;
    }

    private MoeConfig.ScoringFunc scoringFunc(String name) throws IOException {
        for (MoeConfig.ScoringFunc f : MoeConfig.ScoringFunc.values()) {
            if (f.hfName().equals(name)) {
                return f;
            }
        }
        throw error("scoring_func", "must be \"softmax\" or \"sigmoid\", found \"" + name + "\"");
    }

    private MoeConfig.TopkMethod topkMethod(String name) throws IOException {
        for (MoeConfig.TopkMethod m : MoeConfig.TopkMethod.values()) {
            if (m.hfName().equals(name)) {
                return m;
            }
        }
        throw error("topk_method", "must be \"greedy\", \"group_limited_greedy\" or \"noaux_tc\", found \"" + name + "\"");
    }

    private IOException error(String key, String what) {
        return new IOException(file + ": " + key + " " + what);
    }
}
