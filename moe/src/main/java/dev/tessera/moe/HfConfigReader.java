package dev.tessera.moe;

import dev.tessera.tensor.io.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

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
        set("hidden_size", this::whole, b::hidden);
        set("moe_intermediate_size", this::whole, b::moeIntermediate);
        set("n_routed_experts", this::integer, b::routedExperts);
        if (members.containsKey("n_shared_experts")) {
            b.sharedExperts(members.get("n_shared_experts") == null ? 0 : integer("n_shared_experts"));
        }
        set("num_experts_per_tok", this::integer, b::topK);
        int nGroup = has("n_group") ? integer("n_group") : 1;
        int topkGroup = has("topk_group") ? integer("topk_group") : 1;
        b.groups(nGroup, topkGroup);
        set("routed_scaling_factor", this::number, b::routedScalingFactor);
        set("scoring_func", key -> scoringFunc(string(key)), b::scoring);
        set("norm_topk_prob", this::bool, b::normTopkProb);
        set("topk_method", key -> topkMethod(string(key)), b::topkMethod);
        set("first_k_dense_replace", this::integer, b::firstKDenseReplace);
        set("moe_layer_freq", this::integer, b::moeLayerFreq);
        set("aux_loss_alpha", this::number, b::auxLossAlpha);
        set("seq_aux", this::bool, b::seqAux);
        set("vocab_size", this::whole, b::vocabSize);
        set("intermediate_size", this::whole, b::intermediate);
        set("num_hidden_layers", this::integer, b::layers);
        set("num_attention_heads", this::integer, b::heads);
        set("num_key_value_heads", this::integer, b::kvHeads);
        set("rope_theta", this::number, b::ropeTheta);
        set("rms_norm_eps", this::number, b::rmsNormEps);
        set("tie_word_embeddings", this::bool, b::tieWordEmbeddings);
        set("max_position_embeddings", this::whole, b::maxPositionEmbeddings);
        set("bias_update_speed", this::number, b::biasUpdateSpeed);
        set("capacity_factor", this::number, b::capacityFactor);
        set("seq_balance_alpha", this::number, b::seqBalanceAlpha);
        set("router_z_loss_coef", this::number, b::routerZLossCoef);
        set("router_noise", this::bool, b::routerNoise);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** A typed getter whose errors name the file and the key. */
    private interface Getter<T> {
        T get(String key) throws IOException;
    }

    /** Gives the builder the value at {@code key} when it is present and not null; an absent key keeps the default. */
    private <T> void set(String key, Getter<T> getter, Consumer<T> setter) throws IOException {
        if (has(key)) {
            setter.accept(getter.get(key));
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
