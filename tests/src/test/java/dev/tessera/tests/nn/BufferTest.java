package dev.tessera.tests.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Buffer;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Buffers: untrained module state that the state dict, loading, device moves and dtype casts carry along. */
class BufferTest {
    /** A router-like module: a trained weight, a floating bias buffer and an integer counter buffer. */
    static final class Routed extends Module {
        final Linear gate = register("gate", new Linear(3, 4, false, new Generator(1)));
        final Buffer bias = buffer("e_score_correction_bias", Tensor.zeros(4));
        final Buffer seen = buffer("tokens_seen", Tensor.zeros(DType.I64, 4));
    }

    static final class Outer extends Module {
        final Routed mlp = register("mlp", new Routed());
    }

    @Test
    void buffersAreStateButNotParameters() {
        Outer model = new Outer();
        assertEquals(List.of("mlp.gate.weight"), List.copyOf(model.namedParameters().keySet()));
        assertEquals(List.of("mlp.e_score_correction_bias", "mlp.tokens_seen"), List.copyOf(model.namedBuffers().keySet()));
        assertEquals(List.of("mlp.gate.weight", "mlp.e_score_correction_bias", "mlp.tokens_seen"),
                List.copyOf(model.stateDict().keySet()));
        assertFalse(model.mlp.bias.value().requiresGrad());
        assertEquals(12, model.parameterCount(), "buffers are not counted as parameters");
        assertTrue(model.toString().contains("e_score_correction_bias [4] (buffer)"), model.toString());
    }

    @Test
    void loadStateDictFillsBuffersInTheirOwnDtype() {
        Outer source = new Outer();
        source.mlp.bias.set(Tensor.of(new float[] {0.5f, -1, 2, 0}));
        source.mlp.seen.set(Tensor.of(new long[] {7, 0, 3, 1}));
        Outer target = new Outer();
        Map<String, Tensor> state = new HashMap<>(source.stateDict());
        state.put("mlp.e_score_correction_bias", state.get("mlp.e_score_correction_bias").to(DType.F64));
        target.loadStateDict(state, true);
        assertArrayEquals(new float[] {0.5f, -1, 2, 0}, target.mlp.bias.value().toFloatArray());
        assertEquals(DType.F32, target.mlp.bias.value().dtype());
        assertArrayEquals(new long[] {7, 0, 3, 1}, target.mlp.seen.value().toLongArray());
    }

    @Test
    void strictLoadingNamesAMissingBufferAndAWrongKindOfDtype() {
        Outer model = new Outer();
        Map<String, Tensor> state = new HashMap<>(model.stateDict());
        state.remove("mlp.e_score_correction_bias");
        state.put("mlp.tokens_seen", Tensor.zeros(4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state, true));
        assertEquals("loadStateDict (strict):\n  missing keys: mlp.e_score_correction_bias\n  mismatched keys: mlp.tokens_seen"
                + " (checkpoint dtype F32 is floating, the model's I64 is not)", e.getMessage());
    }

    @Test
    void devicesAndDtypesCarryBuffersAlong() {
        Outer model = new Outer();
        model.to(Device.reference()).to(DType.F64);
        assertSame(Device.reference(), model.mlp.bias.value().device());
        assertEquals(DType.F64, model.mlp.bias.value().dtype());
        assertEquals(DType.I64, model.mlp.seen.value().dtype(), "integer buffers keep their dtype");
        assertSame(Device.reference(), model.mlp.seen.value().device());
    }

    @Test
    void setRefusesAnotherShapeOrDtype() {
        Buffer b = new Outer().mlp.bias;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.set(Tensor.zeros(5)));
        assertEquals("Buffer.set: the new value (F32 [5] on cpu) must match the buffer (F32 [4] on cpu)", e.getMessage());
    }
}
