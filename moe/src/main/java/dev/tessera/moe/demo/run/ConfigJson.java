package dev.tessera.moe.demo.run;

import dev.tessera.moe.MoeConfig;
import dev.tessera.tensor.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link MoeConfig} as the Hugging Face config.json that {@link MoeConfig#fromHfConfig}
 * reads back to the same config, so a checkpoint folder loads with
 * {@link dev.tessera.moe.MoeTransformer#fromPretrained}.
 */
public final class ConfigJson {
    public static final String FILE_NAME = "config.json";

    private ConfigJson() {}

    /** Writes {@code config} to {@code folder}/config.json, atomically, and returns the file. */
    public static Path write(Path folder, MoeConfig config) throws IOException {
        Path file = folder.resolve(FILE_NAME);
        Json.write(file, keys(config));
        return file;
    }

    static Map<String, Object> keys(MoeConfig c) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architectures", List.of("DeepseekForCausalLM"));
        json.put("model_type", "deepseek");
        json.put("vocab_size", c.vocabSize());
        json.put("hidden_size", c.hiddenSize());
        json.put("intermediate_size", c.intermediateSize());
        json.put("moe_intermediate_size", c.moeIntermediateSize());
        json.put("num_hidden_layers", c.numHiddenLayers());
        json.put("num_attention_heads", c.numAttentionHeads());
        json.put("num_key_value_heads", c.numKeyValueHeads());
        json.put("n_routed_experts", c.nRoutedExperts());
        json.put("n_shared_experts", c.nSharedExperts());
        json.put("num_experts_per_tok", c.numExpertsPerTok());
        json.put("n_group", c.nGroup());
        json.put("topk_group", c.topkGroup());
        json.put("routed_scaling_factor", c.routedScalingFactor());
        json.put("scoring_func", c.scoringFunc().hfName());
        json.put("norm_topk_prob", c.normTopkProb());
        json.put("topk_method", c.topkMethod().hfName());
        json.put("first_k_dense_replace", c.firstKDenseReplace());
        json.put("moe_layer_freq", c.moeLayerFreq());
        json.put("aux_loss_alpha", c.auxLossAlpha());
        json.put("seq_aux", c.seqAux());
        json.put("rope_theta", c.ropeTheta());
        json.put("rms_norm_eps", c.rmsNormEps());
        json.put("tie_word_embeddings", c.tieWordEmbeddings());
        json.put("max_position_embeddings", c.maxPositionEmbeddings());
        json.put("bias_update_speed", c.biasUpdateSpeed());
        if (c.capacityFactor().isPresent()) {
            json.put("capacity_factor", c.capacityFactor().getAsDouble());
        }
        json.put("seq_balance_alpha", c.seqBalanceAlpha());
        json.put("router_z_loss_coef", c.routerZLossCoef());
        json.put("router_noise", c.routerNoise());
        return json;
    }
}
