package dev.tessera.tests.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Transformer;
import dev.tessera.nn.TransformerConfig;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decoder-only Transformer: Hugging Face names, shapes, causality of the logits, and refused configurations. */
class TransformerTest {
    private static final TransformerConfig SMALL = new TransformerConfig(11, 8, 12, 2, 2, 1, 10000, 1e-6);

    @Test
    void parametersCarryHuggingFaceLlamaNames() {
        List<String> names = List.copyOf(new Transformer(SMALL, new Generator(1)).namedParameters().keySet());
        assertEquals("model.embed_tokens.weight", names.get(0));
        assertTrue(names.contains("model.layers.1.self_attn.k_proj.weight"), names.toString());
        assertTrue(names.contains("model.layers.0.mlp.down_proj.weight"), names.toString());
        assertEquals(List.of("model.norm.weight", "lm_head.weight"), names.subList(names.size() - 2, names.size()));
        assertEquals(3 + 2 * 9, names.size());
    }

    @Test
    void logitsHaveOneRowPerTokenAndIgnoreLaterTokens() {
        Transformer model = new Transformer(SMALL, new Generator(2));
        Tensor ids = Tensor.of(new long[] {1, 5, 7, 2, 3, 9}, 2, 3);
        Tensor logits = model.forward(ids);
        assertArrayEquals(new long[] {2, 3, 11}, logits.shape());
        Tensor changedLast = Tensor.of(new long[] {1, 5, 0, 2, 3, 4}, 2, 3);
        assertArrayEquals(logits.narrow(1, 0, 2).toFloatArray(), model.forward(changedLast).narrow(1, 0, 2).toFloatArray());
    }

    @Test
    void badConfigurationsAndIdsAreRefused() {
        IllegalArgumentException heads = assertThrows(IllegalArgumentException.class,
                () -> new TransformerConfig(11, 8, 12, 2, 3, 1, 10000, 1e-6));
        assertEquals("TransformerConfig: num_attention_heads (3) must divide hidden_size (8) and num_key_value_heads (1)"
                + " must divide num_attention_heads", heads.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TransformerConfig(0, 8, 12, 2, 2, 1, 10000, 1e-6));
        assertThrows(IllegalArgumentException.class, () -> new TransformerConfig(11, 8, 12, 2, 2, 1, 0, 1e-6));
        Transformer model = new Transformer(SMALL, new Generator(3));
        IllegalArgumentException ids = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(2, 3)));
        assertEquals("Transformer: ids must be integer token ids of shape [batch, tokens], got F32 [2, 3]", ids.getMessage());
    }
}
