package dev.tessera.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.autograd.Node;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Tensor;
import dev.tessera.tests.opencl.OpenClAvailable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fused cross-entropy where a composite would overflow or produce NaN, on both host backends, in F32. */
class CrossEntropyEdgeCasesTest {
    private static Tensor logits(Device device, float[] values, long... shape) {
        return Tensor.of(values, shape).to(device).requiresGrad(true);
    }

    private static Tensor targets(Device device, long... ids) {
        return Tensor.of(ids, ids.length).to(device);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference", "opencl"})
    void logitsOfTenThousandStayExact(String name) {
        Device device = OpenClAvailable.device(name);
        Tensor x = logits(device, new float[] {1e4f, -1e4f, 0, 1e4f, -1e4f, 0}, 2, 3);
        Tensor loss = Fused.crossEntropy(x, targets(device, 0, 1), -100);
        // lse = 1e4 + log(1 + e^-1e4 + e^-2e4) = 1e4 exactly in F32.
        assertArrayEquals(new float[] {0, 2e4f}, loss.toFloatArray());
        loss.sum().backward();
        assertArrayEquals(new float[] {0, 0, 0, 1, -1, 0}, x.grad().toFloatArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference", "opencl"})
    void minusInfinityOffTheTargetIsAMaskedClass(String name) {
        Device device = OpenClAvailable.device(name);
        float inf = Float.POSITIVE_INFINITY;
        Tensor x = logits(device, new float[] {-inf, 1, 2, -inf}, 1, 4);
        Tensor loss = Fused.crossEntropy(x, targets(device, 2), -100);
        double want = Math.log1p(Math.exp(-1)); // log(e + e^2) - 2
        assertEquals(want, loss.item(), 2 * Math.ulp((float) want));
        loss.sum().backward();
        float[] grad = x.grad().toFloatArray();
        assertEquals(0f, grad[0], "a masked class gets exactly 0");
        assertEquals(0f, grad[3], "a masked class gets exactly 0");
        assertEquals(1 / (1 + Math.E), grad[1], 4 * Math.ulp(0.27f));
        assertEquals(-1 / (1 + Math.E), grad[2], 4 * Math.ulp(0.27f));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference", "opencl"})
    void allTargetsIgnoredGiveZeroLossesAndZeroGradients(String name) {
        Device device = OpenClAvailable.device(name);
        Tensor x = logits(device, new float[] {3, -1, 2, 0.5f, 7, -2}, 2, 3);
        Tensor loss = Fused.crossEntropy(x, targets(device, -100, -100), -100);
        assertArrayEquals(new float[] {0, 0}, loss.toFloatArray());
        loss.sum().backward();
        assertArrayEquals(new float[6], x.grad().toFloatArray());
    }

    /** The saved lse (the node's second output) is the logsumexp of each row, in F32 for BF16 logits. */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference", "opencl"})
    void theSavedLogSumExpIsEachRowsLogsumexp(String name) {
        Device device = OpenClAvailable.device(name);
        Tensor x = Tensor.randn(new dev.tessera.tensor.Generator(9), 3, 40).to(DType.BF16).to(device).requiresGrad(true);
        Tensor loss = Fused.crossEntropy(x, targets(device, 1, 39, 0), -100);
        Tensor lse = ((Node) loss.gradNode()).output(1);
        assertEquals(DType.F32, lse.dtype());
        float[] want = x.detach().to(DType.F32).logsumexp(1).toFloatArray();
        float[] got = lse.toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 48 * Math.ulp(want[i]), "row " + i); // two float sums of 40 exps
        }
    }
}
