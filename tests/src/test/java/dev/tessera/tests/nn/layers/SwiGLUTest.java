package dev.tessera.tests.nn.layers;

import static dev.tessera.tests.nn.layers.CrossEntropyTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tessera.nn.Parameter;
import dev.tessera.nn.SwiGLU;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SwiGLU: Hugging Face names and layouts, the forward formula, and the shared-expert stacking identity. */
class SwiGLUTest {
    private static final long H = 6;
    private static final long I = 4;

    @Test
    void parametersHaveHuggingFaceNamesAndLayouts() {
        Map<String, Parameter> named = new SwiGLU(H, I, new Generator(1)).namedParameters();
        assertEquals(List.of("gate_proj.weight", "up_proj.weight", "down_proj.weight"), List.copyOf(named.keySet()));
        assertArrayEquals(new long[] {I, H}, named.get("gate_proj.weight").value().shape());
        assertArrayEquals(new long[] {I, H}, named.get("up_proj.weight").value().shape());
        assertArrayEquals(new long[] {H, I}, named.get("down_proj.weight").value().shape());
    }

    @Test
    void forwardIsDownOfSiluGateTimesUp() {
        SwiGLU mlp = new SwiGLU(H, I, new Generator(2));
        Tensor x = Tensor.randn(new Generator(3), 2, 3, H);
        Tensor g = x.matmul(mlp.gateProj().weight().value().t());
        Tensor u = x.matmul(mlp.upProj().weight().value().t());
        // silu(g) = g * sigmoid(g), written out so the test does not lean on Tensor.silu
        Tensor expected = g.mul(g.sigmoid()).mul(u).matmul(mlp.downProj().weight().value().t());
        Tensor y = mlp.forward(x);
        assertArrayEquals(new long[] {2, 3, H}, y.shape());
        assertClose(expected.toFloatArray(), y.toFloatArray(), 1e-6);
    }

    @Test
    void gradientsReachAllThreeWeights() {
        SwiGLU mlp = new SwiGLU(H, I, new Generator(4));
        mlp.forward(Tensor.randn(new Generator(5), 3, H)).sum().backward();
        for (Parameter p : mlp.parameters()) {
            assertNotNull(p.grad());
        }
    }

    @Test
    void stackedExpertsEqualTheSumOfSeparateExperts() {
        int experts = 3;
        SwiGLU stacked = new SwiGLU(H, experts * I, new Generator(6));
        Tensor x = Tensor.randn(new Generator(7), 5, H);
        Tensor sum = Tensor.zeros(5, H);
        for (int s = 0; s < experts; s++) {
            SwiGLU expert = new SwiGLU(H, I, new Generator(100 + s));
            expert.gateProj().weight().set(stacked.gateProj().weight().value().narrow(0, s * I, I).contiguous());
            expert.upProj().weight().set(stacked.upProj().weight().value().narrow(0, s * I, I).contiguous());
            expert.downProj().weight().set(stacked.downProj().weight().value().narrow(1, s * I, I).contiguous());
            sum = sum.add(expert.forward(x));
        }
        assertClose(stacked.forward(x).toFloatArray(), sum.toFloatArray(), 1e-5);
    }
}
