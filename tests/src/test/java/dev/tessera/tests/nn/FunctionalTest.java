package dev.tessera.tests.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.nn.Linear;
import dev.tessera.nn.RMSNorm;
import dev.tessera.nn.functional.F;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The functional forms compute what the modules compute, and refuse what they refuse. */
class FunctionalTest {
    @Test
    void linearAndRmsNormEqualTheirModules() {
        Linear linear = new Linear(5, 3, true, new Generator(1));
        RMSNorm norm = new RMSNorm(5, 1e-6);
        Tensor x = Tensor.randn(new Generator(2), 4, 5);
        assertArrayEquals(linear.forward(x).toFloatArray(),
                F.linear(x, linear.weight().value(), linear.bias().value()).toFloatArray());
        assertArrayEquals(norm.forward(x).toFloatArray(), F.rmsNorm(x, norm.weight().value(), 1e-6).toFloatArray());
    }

    /** With no mask and one key per query row visible, causal attention returns each row's own value. */
    @Test
    void causalAttentionOfOneVisibleKeyReturnsItsValue() {
        Tensor q = Tensor.randn(new Generator(3), 1, 2, 1, 4);
        Tensor k = Tensor.randn(new Generator(4), 1, 1, 3, 4);
        Tensor v = Tensor.randn(new Generator(5), 1, 1, 3, 4);
        // Bottom-right alignment with Nq = 1: the only query sees every key; with Nk = 1 it sees that key alone.
        Tensor out = F.scaledDotProductAttention(q, k.narrow(2, 0, 1), v.narrow(2, 0, 1), true);
        assertArrayEquals(v.narrow(2, 0, 1).expand(1, 2, 1, 4).contiguous().toFloatArray(), out.toFloatArray());
    }

    @Test
    void linearRefusesMismatchedShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.linear(Tensor.zeros(2, 4), Tensor.zeros(3, 5), null));
        assertEquals("linear: input [2, 4] and weight [3, 5] must be [..., in] and [out, in]", e.getMessage());
    }
}
