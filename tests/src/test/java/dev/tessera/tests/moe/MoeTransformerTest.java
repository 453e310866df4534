package dev.tessera.tests.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.DeepSeekMoE;
import dev.tessera.moe.ExpertLoad;
import dev.tessera.moe.MoeConfig;
import dev.tessera.moe.MoeTransformer;
import dev.tessera.moe.demo.run.ConfigJson;
import dev.tessera.nn.SwiGLU;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.Json;
import dev.tessera.tensor.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MoE transformer's layout and names (Hugging Face DeepseekForCausalLM), which layers are MoE,
 * tied embeddings, the total and active parameter counts against a count by hand, and
 * fromPretrained: a round trip through a checkpoint (single file and sharded), and every way a
 * checkpoint directory can be wrong, each refused with a message naming the file or key.
 */
class MoeTransformerTest {
    /** hidden 8, 2 heads of 4 with 1 key/value head, vocab 11, dense width 12; 4 experts of width 4, 1 shared, top-2. */
    private static final MoeConfig SMALL = MoeConfig.builder().vocabSize(11).hidden(8).heads(2).kvHeads(1)
            .intermediate(12).moeIntermediate(4).routedExperts(4).sharedExperts(1).topK(2).layers(2)
            .firstKDenseReplace(1).scoring(MoeConfig.ScoringFunc.SIGMOID).topkMethod(MoeConfig.TopkMethod.NOAUX_TC)
            .groups(2, 1).normTopkProb(true).routedScalingFactor(2.5).ropeTheta(1000).build();

    @Test
    void stateDictHasExactlyTheHuggingFaceNames() {
        MoeTransformer model = new MoeTransformer(SMALL, new Generator(1));
        Set<String> expected = new TreeSet<>(Set.of("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight",
                "model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.up_proj.weight",
                "model.layers.0.mlp.down_proj.weight", "model.layers.1.mlp.gate.weight",
                "model.layers.1.mlp.gate.e_score_correction_bias", "model.layers.1.mlp.shared_experts.gate_proj.weight",
                "model.layers.1.mlp.shared_experts.up_proj.weight", "model.layers.1.mlp.shared_experts.down_proj.weight"));
        for (int layer = 0; layer < 2; layer++) {
            String p = "model.layers." + layer + ".";
            expected.addAll(Set.of(p + "input_layernorm.weight", p + "post_attention_layernorm.weight",
                    p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight",
                    p + "self_attn.o_proj.weight"));
        }
        for (int e = 0; e < 4; e++) {
            for (String proj : new String[] {"gate_proj", "up_proj", "down_proj"}) {
                expected.add("model.layers.1.mlp.experts." + e + "." + proj + ".weight");
            }
        }
        Map<String, Tensor> state = model.stateDict();
        assertEquals(expected, new TreeSet<>(state.keySet()));
        assertFalse(model.namedParameters().containsKey("model.layers.1.mlp.gate.e_score_correction_bias"),
                "the selection bias is a buffer, not a parameter");
        assertArrayEquals(new long[] {4, 8}, state.get("model.layers.1.self_attn.k_proj.weight").shape());
        assertArrayEquals(new long[] {4, 8}, state.get("model.layers.1.mlp.experts.3.up_proj.weight").shape());
        assertArrayEquals(new long[] {8, 4}, state.get("model.layers.1.mlp.shared_experts.down_proj.weight").shape());
        assertArrayEquals(new long[] {12, 8}, state.get("model.layers.0.mlp.up_proj.weight").shape());
        assertArrayEquals(new long[] {11, 8}, state.get("lm_head.weight").shape());
    }

    @Test
    void theMoeLayersAreThoseFirstKDenseReplaceAndMoeLayerFreqName() {
        MoeConfig c = SMALL.toBuilder().layers(5).firstKDenseReplace(1).moeLayerFreq(2).build();
        MoeTransformer model = new MoeTransformer(c, new Generator(2));
        assertEquals(2, model.moeLayers().size(), "layers 2 and 4");
        for (int i = 0; i < 5; i++) {
            boolean moe = i == 2 || i == 4;
            Class<?> kind = moe ? DeepSeekMoE.class : SwiGLU.class;
            assertEquals(kind, model.model().layer(i).mlp().getClass(), "layer " + i);
        }
        assertEquals(model.model().layer(2).mlp(), model.moeLayers().get(0));
        assertEquals(model.model().layer(4).mlp(), model.moeLayers().get(1));
    }

    @Test
    void forwardGivesLogitsAndEveryMoeLayerRoutesEveryToken() {
        MoeTransformer model = new MoeTransformer(SMALL.toBuilder().layers(3).build(), new Generator(3));
        Tensor ids = Tensor.of(new long[] {1, 4, 0, 10, 7, 3, 3, 2}, 2, 4);
        Tensor logits = model.forward(ids);
        assertArrayEquals(new long[] {2, 4, 11}, logits.shape());
        assertEquals(2, model.lastRouting().size());
        for (ExpertLoad load : model.lastRouting()) {
            assertEquals(8, load.tokens());
            assertEquals(16, load.assignments());
        }
        assertArrayEquals(new long[] {}, model.auxLoss().total().shape());
        assertTrue(model.auxLoss().expertBalance().item() > 0, "aux_loss_alpha 0.001 by default");
        IllegalArgumentException floats = assertThrows(IllegalArgumentException.class,
                () -> model.forward(Tensor.zeros(2, 4)));
        assertEquals("MoeTransformer: ids must be integer token ids of shape [batch, tokens], got F32 [2, 4]",
                floats.getMessage());
    }

    @Test
    void tiedEmbeddingsHaveNoHeadOfTheirOwnAndProjectWithTheTable() {
        MoeTransformer tied = new MoeTransformer(SMALL.toBuilder().tieWordEmbeddings(true).build(), new Generator(4));
        assertFalse(tied.stateDict().containsKey("lm_head.weight"));
        MoeTransformer untied = new MoeTransformer(SMALL, new Generator(5));
        Map<String, Tensor> state = new LinkedHashMap<>(tied.stateDict());
        state.put("lm_head.weight", state.get("model.embed_tokens.weight"));
        untied.loadStateDict(state, true);

        Tensor ids = Tensor.of(new long[] {3, 1, 4, 1, 5, 9}, 1, 6);
        assertArrayEquals(untied.forward(ids).toDoubleArray(), tied.forward(ids).toDoubleArray(),
                "a tied head is the embedding table");
        tied.forward(ids).sum().backward();
        assertTrue(tied.model().embedTokens().weight().grad().abs().sum().item() > 0);
    }

    /**
     * By hand, for SMALL: embedding 11 x 8 = 88; per layer attention q, o 8 x 8 and k, v 4 x 8 = 192,
     * two norms 16; layer 0's dense SwiGLU 3 x 8 x 12 = 288; layer 1's gate 4 x 8 = 32, four experts of
     * 3 x 8 x 4 = 96 each, a shared expert of width 4: 96; final norm 8; head 88.
     */
    @Test
    void totalAndActiveParameterCountsMatchACountByHand() {
        long expert = 3 * 8 * 4;
        long total = 88 + 2 * (192 + 16) + 288 + 32 + 4 * expert + expert + 8 + 88;
        MoeTransformer model = new MoeTransformer(SMALL, new Generator(6));
        assertEquals(1400, total);
        assertEquals(total, model.parameterCount());
        assertEquals(total - (4 - 2) * expert, model.activeParameterCount(), "two of the four experts per token");
        String summary = model.toString();
        assertTrue(summary.contains("total: 1,400 parameters"), summary);
        assertTrue(summary.contains("active per token: 1,208 parameters (2 of 4 routed experts in each of 1 MoE layers)"),
                summary);

        MoeTransformer tied = new MoeTransformer(SMALL.toBuilder().tieWordEmbeddings(true).build(), new Generator(6));
        assertEquals(total - 88, tied.parameterCount(), "the table counts once");
        assertEquals(total - 88 - 2 * expert, tied.activeParameterCount());
    }

    @Test
    void headsThatDoNotDivideAreRefusedNamingTheKeys() {
        IllegalArgumentException hidden = assertThrows(IllegalArgumentException.class,
                () -> new MoeTransformer(SMALL.toBuilder().heads(3).kvHeads(3).build(), new Generator(0)));
        assertEquals("MoeTransformer: num_attention_heads (3) does not divide hidden_size (8)", hidden.getMessage());
        IllegalArgumentException kv = assertThrows(IllegalArgumentException.class,
                () -> new MoeTransformer(SMALL.toBuilder().heads(4).kvHeads(3).build(), new Generator(0)));
        assertEquals("MoeTransformer: num_key_value_heads (3) does not divide num_attention_heads (4)", kv.getMessage());
    }

    @Test
    void aSavedCheckpointLoadsBackWithTheSameLogits(@TempDir Path dir) throws IOException {
        MoeTransformer model = new MoeTransformer(SMALL, new Generator(7));
        model.moeLayers().get(0).updateBias(new ExpertLoad(new long[] {9, 0, 3, 4}, new long[4], 8, 2));
        ConfigJson.write(dir, SMALL);
        SafeTensors.write(dir.resolve("model.safetensors"), model.stateDict());
        Files.write(dir.resolve("other.safetensors"), new byte[] {1, 2, 3}); // not a weight file: never read
        Tensor ids = Tensor.of(new long[] {0, 5, 2, 8, 8, 1}, 2, 3);

        MoeTransformer loaded = MoeTransformer.fromPretrained(dir);
        assertArrayEquals(model.forward(ids).toDoubleArray(), loaded.forward(ids).toDoubleArray());
        assertArrayEquals(model.stateDict().get("model.layers.1.mlp.gate.e_score_correction_bias").toDoubleArray(),
                loaded.stateDict().get("model.layers.1.mlp.gate.e_score_correction_bias").toDoubleArray());
    }

    @Test
    void aShardedCheckpointLoadsFromItsIndex(@TempDir Path dir) throws IOException {
        MoeTransformer model = new MoeTransformer(SMALL, new Generator(8));
        ConfigJson.write(dir, SMALL);
        Map<String, Tensor> first = new LinkedHashMap<>();
        Map<String, Tensor> second = new LinkedHashMap<>();
        Map<String, Object> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            boolean early = e.getKey().startsWith("model.embed") || e.getKey().startsWith("model.layers.0.");
            (early ? first : second).put(e.getKey(), e.getValue());
            weightMap.put(e.getKey(), early ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"), first);
        SafeTensors.write(dir.resolve("model-00002-of-00002.safetensors"), second);
        Json.write(dir.resolve("model.safetensors.index.json"), Map.of("metadata", Map.of(), "weight_map", weightMap));

        Tensor ids = Tensor.of(new long[] {4, 4, 6, 10}, 1, 4);
        assertArrayEquals(model.forward(ids).toDoubleArray(), MoeTransformer.fromPretrained(dir).forward(ids).toDoubleArray());
    }

    @Test
    void aDirectoryWithoutConfigOrWeightsIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        NoSuchFileException noConfig = assertThrows(NoSuchFileException.class, () -> MoeTransformer.fromPretrained(dir));
        assertTrue(noConfig.getMessage().contains(dir.resolve("config.json").toString()), noConfig.getMessage());
        ConfigJson.write(dir, SMALL);
        NoSuchFileException noWeights = assertThrows(NoSuchFileException.class, () -> MoeTransformer.fromPretrained(dir));
        assertTrue(noWeights.getMessage().contains("model.safetensors"), noWeights.getMessage());
    }

    @Test
    void aCorruptWeightFileIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        ConfigJson.write(dir, SMALL);
        Path weights = dir.resolve("model.safetensors");
        Files.write(weights, new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '"', 'a', '"', ':', ' ', '1', '}'});
        IOException e = assertThrows(IOException.class, () -> MoeTransformer.fromPretrained(dir));
        assertTrue(e.getMessage().contains(weights.toString()), e.getMessage());
    }

    @Test
    void missingUnexpectedAndMisshapenKeysAreRefusedNamingEachKey(@TempDir Path dir) throws IOException {
        ConfigJson.write(dir, SMALL);
        Map<String, Tensor> state = new LinkedHashMap<>(new MoeTransformer(SMALL, new Generator(9)).stateDict());
        state.remove("model.layers.1.mlp.experts.2.down_proj.weight");
        state.put("model.layers.0.self_attn.rotary_emb.inv_freq", Tensor.ones(2));
        state.put("model.norm.weight", Tensor.ones(9));
        SafeTensors.write(dir.resolve("model.safetensors"), state);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MoeTransformer.fromPretrained(dir));
        String message = e.getMessage();
        assertTrue(message.startsWith("MoeTransformer.fromPretrained: the weights in " + dir + " [model.safetensors]"),
                message);
        assertTrue(message.contains("missing keys: model.layers.1.mlp.experts.2.down_proj.weight"), message);
        assertTrue(message.contains("unexpected keys: model.layers.0.self_attn.rotary_emb.inv_freq"), message);
        assertTrue(message.contains("model.norm.weight (checkpoint [9], model [8])"), message);
    }

    @Test
    void aConfigThatDisagreesIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        Path config = ConfigJson.write(dir, SMALL);
        Files.writeString(config, Files.readString(config).replace("\"num_attention_heads\": 2", "\"num_attention_heads\": 3")
                .replace("\"num_key_value_heads\": 1", "\"num_key_value_heads\": 3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MoeTransformer.fromPretrained(dir));
        assertEquals(config + ": MoeTransformer: num_attention_heads (3) does not divide hidden_size (8)", e.getMessage());
    }
}
