package dev.tessera.tests.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.nn.Attention;
import dev.tessera.nn.DecoderBlock;
import dev.tessera.nn.Parameter;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Attention and DecoderBlock modules: Hugging Face names and layouts, causality, gradients, bad input. */
class AttentionModuleTest {
    private static final long HIDDEN = 12;

    @Test
    void parametersHaveHuggingFaceNamesAndGroupedQueryLayouts() {
        Map<String, Parameter> named = new Attention(HIDDEN, 6, 3, 2, 10000, new Generator(1)).namedParameters();
        assertEquals(List.of("q_proj.weight", "k_proj.weight", "v_proj.weight", "o_proj.weight"),
                List.copyOf(named.keySet()));
        assertArrayEquals(new long[] {12, HIDDEN}, named.get("q_proj.weight").value().shape());
        assertArrayEquals(new long[] {6, HIDDEN}, named.get("k_proj.weight").value().shape());
        assertArrayEquals(new long[] {6, HIDDEN}, named.get("v_proj.weight").value().shape());
        assertArrayEquals(new long[] {HIDDEN, 12}, named.get("o_proj.weight").value().shape());
    }

    @Test
    void decoderBlockChildrenAreNamedAsInHuggingFace() {
        DecoderBlock block = new DecoderBlock(HIDDEN, 4, 2, 4, 20, 10000, 1e-6, new Generator(2));
        assertEquals(List.of("input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight",
                "self_attn.v_proj.weight", "self_attn.o_proj.weight", "post_attention_layernorm.weight",
                "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"),
                List.copyOf(block.namedParameters().keySet()));
    }

    /** A later token never changes an earlier token's output: the masked keys get exactly zero weight. */
    @Test
    void laterTokensDoNotReachEarlierOutputs() {
        DecoderBlock block = new DecoderBlock(HIDDEN, 4, 1, 4, 16, 10000, 1e-6, new Generator(3));
        Tensor x = Tensor.randn(new Generator(4), 2, 9, HIDDEN);
        Tensor changed = Tensor.cat(List.of(x.narrow(1, 0, 6), Tensor.randn(new Generator(5), 2, 3, HIDDEN)), 1);
        Tensor positions = Tensor.arange(9);
        Tensor before = block.forward(x, positions).narrow(1, 0, 6);
        Tensor after = block.forward(changed, positions).narrow(1, 0, 6);
        assertArrayEquals(before.toFloatArray(), after.toFloatArray());
    }

    @Test
    void gradientsReachTheInputAndEveryWeight() {
        DecoderBlock block = new DecoderBlock(HIDDEN, 2, 2, 6, 16, 10000, 1e-6, new Generator(6));
        Tensor x = Tensor.randn(new Generator(7), 1, 5, HIDDEN).requiresGrad(true);
        block.forward(x, Tensor.arange(5)).square().sum().backward();
        assertNotNull(x.grad());
        for (Map.Entry<String, Parameter> p : block.namedParameters().entrySet()) {
            assertNotNull(p.getValue().grad(), p.getKey());
        }
    }

    @Test
    void badConfigurationsAndInputsAreRefused() {
        Generator g = new Generator(8);
        IllegalArgumentException groups = assertThrows(IllegalArgumentException.class,
                () -> new Attention(HIDDEN, 4, 3, 3, 10000, g));
        assertEquals("Attention: hidden, heads, kvHeads and headDim must be positive and kvHeads must divide heads,"
                + " got hidden=12, heads=4, kvHeads=3, headDim=3", groups.getMessage());
        Attention attention = new Attention(HIDDEN, 2, 1, 4, 10000, g);
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> attention.forward(Tensor.zeros(5, HIDDEN), Tensor.arange(5)));
        assertEquals("Attention: input of shape [5, 12] must have shape [batch, tokens, hidden]", rank.getMessage());
    }
}
