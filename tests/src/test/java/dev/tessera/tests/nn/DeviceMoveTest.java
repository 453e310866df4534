package dev.tessera.tests.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Parameter;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Module.to(Device) and Module.to(DType) convert every parameter to a trainable leaf; loadStateDict follows the model's device. */
class DeviceMoveTest {
    private static final Tensor IDS = Tensor.of(new long[] {1, 4, 9, 0}, 4);

    @Test
    void movedModelComputesTheSameOnTheOtherBackend() {
        TinyModel model = new TinyModel(2, new Generator(50));
        float[] onCpu = model.forward(IDS).toFloatArray();
        assertSame(model, model.to(Device.reference()));
        for (Parameter p : model.parameters()) {
            assertSame(Device.reference(), p.value().device());
            assertTrue(p.value().isLeaf() && p.value().requiresGrad());
        }
        Tensor out = model.forward(IDS.to(Device.reference()));
        assertSame(Device.reference(), out.device());
        assertClose(onCpu, out.toFloatArray());
        out.sum().backward();
        assertSame(Device.reference(), model.head.weight().grad().device());
    }

    @Test
    void loadStateDictConvertsToTheModelsDevice() {
        TinyModel source = new TinyModel(1, new Generator(51));
        TinyModel target = new TinyModel(1, new Generator(52));
        target.to(Device.reference());
        target.loadStateDict(source.stateDict(), true);
        assertSame(Device.reference(), target.head.weight().value().device());
        assertClose(source.forward(IDS).toFloatArray(), target.forward(IDS.to(Device.reference())).toFloatArray());
    }

    @Test
    void convertedModelComputesInTheNewDtype() {
        TinyModel model = new TinyModel(2, new Generator(53));
        float[] inF32 = model.forward(IDS).toFloatArray();
        model.forward(IDS).sum().backward();
        assertSame(model, model.to(DType.F64));
        for (Parameter p : model.parameters()) {
            assertEquals(DType.F64, p.value().dtype());
            assertTrue(p.value().isLeaf() && p.value().requiresGrad());
            assertNull(p.grad(), "a conversion drops the old gradient");
        }
        Tensor out = model.forward(IDS);
        assertEquals(DType.F64, out.dtype());
        assertClose(inF32, out.toFloatArray());
        IllegalArgumentException integer = assertThrows(IllegalArgumentException.class, () -> model.to(DType.I64));
        assertEquals("Module.to: parameters must stay floating, got I64", integer.getMessage());
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * (1 + Math.abs(expected[i])), "element " + i);
        }
    }
}
