package dev.tessera.tests.nn.layers;

import static dev.tessera.tests.nn.layers.CrossEntropyTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Module;
import dev.tessera.nn.RMSNorm;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RMSNorm: Hugging Face's parameter name and start, the forward formula, and a BF16 input with an F32 master weight. */
class RMSNormTest {
    private static final long H = 8;

    @Test
    void theWeightIsNamedWeightAndStartsAtOnes() {
        RMSNorm norm = new RMSNorm(H, 1e-6);
        assertEquals(List.of("weight"), List.copyOf(norm.stateDict().keySet()));
        assertEquals(DType.F32, norm.weight().value().dtype());
        float[] ones = new float[(int) H];
        java.util.Arrays.fill(ones, 1f);
        assertArrayEquals(ones, norm.weight().value().toFloatArray());
        assertTrue(norm.toString().contains("dim=8, eps=1.0E-6"), norm.toString());
    }

    @Test
    void aNestedNormHasTheHuggingFaceKey() {
        Module layer = new Layer();
        assertEquals(List.of("input_layernorm.weight"), List.copyOf(layer.stateDict().keySet()));
    }

    @Test
    void forwardIsWeightTimesXOverItsRootMeanSquare() {
        RMSNorm norm = new RMSNorm(H, 1e-5);
        norm.weight().set(Tensor.randn(new Generator(1), H));
        Tensor x = Tensor.randn(new Generator(2), 2, 3, H);
        Tensor expected = x.mul(x.square().mean(new int[] {-1}, true).add(1e-5).rsqrt()).mul(norm.weight().value());
        Tensor y = norm.forward(x);
        assertArrayEquals(new long[] {2, 3, H}, y.shape());
        assertClose(expected.toFloatArray(), y.toFloatArray(), 1e-6);
    }

    @Test
    void aBf16InputCastsTheWeightAndTheF32MasterGetsTheGradient() {
        RMSNorm norm = new RMSNorm(H, 1e-6);
        norm.weight().set(Tensor.randn(new Generator(3), H));
        Tensor x = Tensor.randn(new Generator(4), 3, H).to(DType.BF16);
        Tensor y = norm.forward(x);
        assertEquals(DType.BF16, y.dtype());
        y.to(DType.F32).sum().backward();
        assertEquals(DType.F32, norm.weight().grad().dtype());
        // d/dw_i sum(y) = sum over rows of xhat_i, computed here in F32 from the same BF16 values;
        // the kernel's gradient is rounded to BF16 (the weight's dtype there) before the cast's rule
        // widens it: 2^-8 of sums below 5.
        Tensor xf = x.to(DType.F32);
        Tensor xhat = xf.mul(xf.square().mean(new int[] {-1}, true).add(1e-6).rsqrt());
        assertClose(xhat.sum(0).toFloatArray(), norm.weight().grad().toFloatArray(), 5e-2);
    }

    @Test
    void aWrongLastDimIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RMSNorm(H, 1e-6).forward(Tensor.zeros(2, 7)));
        assertEquals("RMSNorm(dim=8): input of shape [2, 7] must have shape [..., 8]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RMSNorm(0, 1e-6));
        assertThrows(IllegalArgumentException.class, () -> new RMSNorm(4, -1));
    }

    /** A decoder layer's norm, as Hugging Face names it. */
    private static final class Layer extends Module {
        Layer() {
            register("input_layernorm", new RMSNorm(H, 1e-6));
        }
    }
}
