package dev.tessera.tests.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** stateDict through a safetensors file into a fresh model, and the errors of a bad load. */
class StateDictTest {
    private static final Tensor IDS = Tensor.of(new long[] {0, 3, 7, 10, 2, 2}, 2, 3);

    @Test
    void roundTripThroughSafeTensorsGivesEqualOutputs(@TempDir Path dir) throws IOException {
        TinyModel source = new TinyModel(2, new Generator(10));
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, source.stateDict());

        TinyModel fresh = new TinyModel(2, new Generator(99));
        assertFalse(sameOutputs(source, fresh), "differently seeded models should differ before the load");
        fresh.loadStateDict(SafeTensors.read(file), true);
        assertArrayEquals(source.forward(IDS).toFloatArray(), fresh.forward(IDS).toFloatArray());
        fresh.parameters().forEach(p -> assertTrue(p.value().isLeaf() && p.value().requiresGrad()));
    }

    @Test
    void loadCopiesSoTheMapCanChangeLater() {
        TinyModel model = new TinyModel(1, new Generator(11));
        Map<String, Tensor> state = new TinyModel(1, new Generator(12)).stateDict();
        model.loadStateDict(state, true);
        float[] before = model.head.weight().value().toFloatArray();
        state.get("lm_head.weight").storage().segment().fill((byte) 0);
        assertArrayEquals(before, model.head.weight().value().toFloatArray());
    }

    @Test
    void loadConvertsTheDtype() {
        TinyModel model = new TinyModel(1, new Generator(13));
        Map<String, Tensor> state = new LinkedHashMap<>();
        new TinyModel(1, new Generator(14)).stateDict().forEach((k, v) -> state.put(k, v.to(DType.F64)));
        model.loadStateDict(state, true);
        assertEquals(DType.F32, model.head.weight().value().dtype());
        assertArrayEquals(state.get("lm_head.weight").to(DType.F32).toFloatArray(),
                model.head.weight().value().toFloatArray());
    }

    @Test
    void strictListsEveryMissingUnexpectedAndMisShapedKey() {
        TinyModel model = new TinyModel(2, new Generator(15));
        float[] untouched = model.head.weight().value().toFloatArray();
        Map<String, Tensor> state = model.stateDict();
        state.remove("layers.1.attn.q_proj.bias");
        state.remove("embed_tokens.weight");
        state.put("layers.2.attn.q_proj.weight", Tensor.zeros(4, 4));
        state.put("layers.0.attn.o_proj.weight", Tensor.zeros(4, 5));
        state.put("lm_head.weight", Tensor.zeros(11, 4));

        var ex = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state, true));
        String message = ex.getMessage();
        assertTrue(message.contains("missing keys: embed_tokens.weight, layers.1.attn.q_proj.bias"), message);
        assertTrue(message.contains("unexpected keys: layers.2.attn.q_proj.weight"), message);
        assertTrue(message.contains("layers.0.attn.o_proj.weight (checkpoint [4, 5], model [4, 4])"), message);
        // Nothing was loaded, not even the keys that were fine.
        assertArrayEquals(untouched, model.head.weight().value().toFloatArray());
    }

    @Test
    void nonStrictSkipsMissingAndUnexpectedButNotMisShaped() {
        TinyModel model = new TinyModel(1, new Generator(16));
        float[] embedBefore = model.embed.weight().value().toFloatArray();
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("lm_head.weight", Tensor.ones(11, 4));
        state.put("extra.weight", Tensor.ones(3));
        model.loadStateDict(state, false);
        assertArrayEquals(Tensor.ones(11, 4).toFloatArray(), model.head.weight().value().toFloatArray());
        assertArrayEquals(embedBefore, model.embed.weight().value().toFloatArray());

        state.put("embed_tokens.weight", Tensor.ones(4, 11));
        var ex = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state, false));
        assertTrue(ex.getMessage().contains("embed_tokens.weight (checkpoint [4, 11], model [11, 4])"), ex.getMessage());
        assertFalse(ex.getMessage().contains("extra.weight"), ex.getMessage());
    }

    private static boolean sameOutputs(TinyModel a, TinyModel b) {
        return Arrays.equals(a.forward(IDS).toFloatArray(), b.forward(IDS).toFloatArray());
    }
}
