package dev.tessera.tests.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.MoeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation messages that name the keys, and config.json files of the DeepSeek-V3 and DeepSeekMoE 16B kinds. */
class MoeConfigTest {
    @TempDir
    Path dir;

    @Test
    void invalidCombinationsNameTheKeysThatDisagree() {
        assertRefused(MoeConfig.builder().routedExperts(8).topK(9), "num_experts_per_tok (9) exceeds n_routed_experts (8)");
        assertRefused(MoeConfig.builder().routedExperts(10).topK(2).groups(4, 2).topkMethod(MoeConfig.TopkMethod.NOAUX_TC),
                "n_group (4) does not divide n_routed_experts (10)");
        assertRefused(MoeConfig.builder().routedExperts(8).topK(2).groups(4, 5).topkMethod(MoeConfig.TopkMethod.NOAUX_TC),
                "topk_group (5) exceeds n_group (4)");
        assertRefused(MoeConfig.builder().routedExperts(16).topK(5).groups(8, 2).topkMethod(MoeConfig.TopkMethod.NOAUX_TC),
                "num_experts_per_tok (5) exceeds the experts of the topk_group (2) groups kept, each of"
                        + " n_routed_experts / n_group = 16 / 8 = 2 experts");
        assertRefused(MoeConfig.builder().routedScalingFactor(0), "routed_scaling_factor must be positive");
        assertRefused(MoeConfig.builder().capacityFactor(-1), "capacity_factor must be positive");
        assertRefused(MoeConfig.builder().hidden(0), "hidden_size must be at least 1");
        // every problem at once
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MoeConfig.builder().routedExperts(8).topK(9).auxLossAlpha(-1).build());
        assertTrue(e.getMessage().contains("num_experts_per_tok") && e.getMessage().contains("aux_loss_alpha"), e.getMessage());
    }

    @Test
    void greedyIgnoresGroupsButGroupLimitedMethodsCountThem() {
        MoeConfig greedy = MoeConfig.builder().routedExperts(16).topK(5).groups(8, 2).build();
        assertFalse(greedy.isGroupLimited());
        assertTrue(greedy.toBuilder().topK(4).topkMethod(MoeConfig.TopkMethod.GROUP_LIMITED_GREEDY).build().isGroupLimited());
    }

    @Test
    void capacityIsCeilOfTokensTimesKOverEtimesTheFactor() {
        MoeConfig c = MoeConfig.builder().routedExperts(8).topK(2).capacityFactor(1.25).build();
        assertEquals(8, c.capacity(25)); // 25 * 2 / 8 * 1.25 = 7.8125
        assertEquals(Long.MAX_VALUE, c.toBuilder().dropless().build().capacity(25));
    }

    @Test
    void deepSeekV3ConfigJson() throws IOException {
        Path file = write("""
                {"architectures": ["DeepseekV3ForCausalLM"], "model_type": "deepseek_v3",
                 "hidden_size": 7168, "intermediate_size": 18432, "moe_intermediate_size": 2048,
                 "num_hidden_layers": 61, "num_attention_heads": 128, "num_key_value_heads": 128,
                 "n_routed_experts": 256, "n_shared_experts": 1, "num_experts_per_tok": 8,
                 "n_group": 8, "topk_group": 4, "routed_scaling_factor": 2.5, "scoring_func": "sigmoid",
                 "norm_topk_prob": true, "topk_method": "noaux_tc", "first_k_dense_replace": 3, "moe_layer_freq": 1,
                 "aux_loss_alpha": 0.001, "seq_aux": true, "vocab_size": 129280, "rope_theta": 10000,
                 "rms_norm_eps": 1e-06, "tie_word_embeddings": false, "max_position_embeddings": 163840,
                 "kv_lora_rank": 512, "q_lora_rank": 1536, "rope_scaling": {"type": "yarn", "factor": 40},
                 "quantization_config": {"quant_method": "fp8"}, "torch_dtype": "bfloat16", "bos_token_id": 0}
                """);
        MoeConfig c = MoeConfig.fromHfConfig(file);
        assertEquals(7168, c.hiddenSize());
        assertEquals(2048, c.moeIntermediateSize());
        assertEquals(256, c.nRoutedExperts());
        assertEquals(1, c.nSharedExperts());
        assertEquals(8, c.numExpertsPerTok());
        assertEquals(8, c.nGroup());
        assertEquals(4, c.topkGroup());
        assertEquals(2.5, c.routedScalingFactor());
        assertEquals(MoeConfig.ScoringFunc.SIGMOID, c.scoringFunc());
        assertEquals(MoeConfig.TopkMethod.NOAUX_TC, c.topkMethod());
        assertTrue(c.normTopkProb());
        assertTrue(c.hasCorrectionBias());
        assertTrue(c.isGroupLimited());
        assertEquals(3, c.firstKDenseReplace());
        assertFalse(c.isMoeLayer(2));
        assertTrue(c.isMoeLayer(3));
        assertEquals(129280, c.vocabSize());
        assertEquals(18432, c.intermediateSize());
        assertEquals(61, c.numHiddenLayers());
        assertEquals(128, c.numKeyValueHeads());
        assertEquals(163840, c.maxPositionEmbeddings());
        assertEquals(OptionalDouble.empty(), c.capacityFactor());
    }

    @Test
    void deepSeekMoe16bConfigJsonAndItsDefaults() throws IOException {
        Path file = write("""
                {"architectures": ["DeepseekForCausalLM"], "model_type": "deepseek", "hidden_size": 2048,
                 "intermediate_size": 10944, "moe_intermediate_size": 1408, "num_hidden_layers": 28,
                 "num_attention_heads": 16, "num_key_value_heads": 16, "n_routed_experts": 64, "n_shared_experts": 2,
                 "num_experts_per_tok": 6, "first_k_dense_replace": 1, "moe_layer_freq": 1, "norm_topk_prob": false,
                 "scoring_func": "softmax", "aux_loss_alpha": 0.001, "seq_aux": true, "vocab_size": 102400,
                 "rope_theta": 10000, "rms_norm_eps": 1e-06, "max_position_embeddings": 4096,
                 "tie_word_embeddings": false, "rope_scaling": null, "pretraining_tp": 1}
                """);
        MoeConfig c = MoeConfig.fromHfConfig(file);
        assertEquals(MoeConfig.builder().build(), c, "the 16B config is the builder's defaults");
        assertEquals(1, c.nGroup());
        assertEquals(1.0, c.routedScalingFactor());
        assertEquals(MoeConfig.TopkMethod.GREEDY, c.topkMethod());
        assertFalse(c.hasCorrectionBias());
        assertEquals(c, MoeConfig.fromHfConfig(write("{}")), "absent keys take the 16B values");
    }

    @Test
    void nullsFollowHuggingFace() throws IOException {
        MoeConfig c = MoeConfig.fromHfConfig(write("""
                {"n_shared_experts": null, "n_group": null, "topk_group": null, "num_key_value_heads": null,
                 "num_attention_heads": 8}
                """));
        assertEquals(0, c.nSharedExperts());
        assertEquals(1, c.nGroup());
        assertEquals(8, c.numKeyValueHeads(), "num_key_value_heads absent or null: num_attention_heads");
        IOException dense = assertThrows(IOException.class, () -> MoeConfig.fromHfConfig(write("{\"n_routed_experts\": null}")));
        assertTrue(dense.getMessage().contains("dense model"), dense.getMessage());
    }

    @Test
    void tesseraKeysAreReadToo() throws IOException {
        MoeConfig c = MoeConfig.fromHfConfig(write("""
                {"capacity_factor": 1.25, "bias_update_speed": 0.01, "seq_balance_alpha": 0.0001,
                 "router_z_loss_coef": 0.001, "router_noise": true}
                """));
        assertEquals(OptionalDouble.of(1.25), c.capacityFactor());
        assertEquals(0.01, c.biasUpdateSpeed());
        assertEquals(0.0001, c.seqBalanceAlpha());
        assertEquals(0.001, c.routerZLossCoef());
        assertTrue(c.routerNoise());
    }

    @Test
    void badFilesNameTheFileAndTheKey() throws IOException {
        IOException type = assertThrows(IOException.class, () -> MoeConfig.fromHfConfig(write("{\"hidden_size\": \"big\"}")));
        assertTrue(type.getMessage().contains("hidden_size must be a number, found the string \"big\""), type.getMessage());
        IOException method = assertThrows(IOException.class,
                () -> MoeConfig.fromHfConfig(write("{\"topk_method\": \"gready\"}")));
        assertTrue(method.getMessage().contains("topk_method must be") && method.getMessage().contains("gready"),
                method.getMessage());
        IOException fraction = assertThrows(IOException.class, () -> MoeConfig.fromHfConfig(write("{\"n_group\": 2.5}")));
        assertTrue(fraction.getMessage().contains("n_group must be a whole number"), fraction.getMessage());
        Path file = write("{\"n_routed_experts\": 10, \"n_group\": 4, \"topk_method\": \"noaux_tc\"}");
        IllegalArgumentException values = assertThrows(IllegalArgumentException.class, () -> MoeConfig.fromHfConfig(file));
        assertTrue(values.getMessage().startsWith(file.toString()) && values.getMessage().contains("n_group (4)"),
                values.getMessage());
        assertThrows(IOException.class, () -> MoeConfig.fromHfConfig(write("[1, 2]")));
    }

    private Path write(String json) throws IOException {
        Path file = Files.createTempFile(dir, "config", ".json");
        Files.writeString(file, json);
        return file;
    }

    private static void assertRefused(MoeConfig.Builder builder, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
