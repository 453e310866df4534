package dev.tessera.tests.autograd.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gradients at the points where an op has no derivative, which central differences cannot
 * check: each follows PyTorch's convention, on both host backends, in F32 and F64.
 */
class KinkConventionsTest {
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void reluAndAbsGiveZeroAtZero(String device) {
        assertArrayEquals(new double[] {0, 0, 1}, gradient(device, new double[] {-1, 0, 2}, Tensor::relu));
        assertArrayEquals(new double[] {-1, 0, 1}, gradient(device, new double[] {-1, 0, 2}, Tensor::abs));
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void clampPassesTheGradientOnItsBounds(String device) {
        double[] x = {-2, -1, 0, 1, 2};
        assertArrayEquals(new double[] {0, 1, 1, 1, 0}, gradient(device, x, t -> t.clamp(-1, 1)));
        assertArrayEquals(new double[] {0, 1, 1, 1, 1}, gradient(device, x, t -> t.clampMin(-1)));
        assertArrayEquals(new double[] {1, 1, 1, 1, 0}, gradient(device, x, t -> t.clampMax(1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void maximumAndMinimumSplitTiesInHalves(String device) {
        double[] a = {1, 2, 3};
        double[] b = {2, 2, 2};
        assertArrayEquals(new double[] {0, 0.5, 1, 1, 0.5, 0}, gradients(device, a, b, Tensor::maximum));
        assertArrayEquals(new double[] {1, 0.5, 0, 0, 0.5, 1}, gradients(device, a, b, Tensor::minimum));
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void maxAndMinSplitTheGradientAmongTiedExtrema(String device) {
        double[] x = {1, 3, 3, 3, 0, 0};
        assertArrayEquals(new double[] {0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 0}, gradient(device, x, Tensor::max), 1e-7);
        assertArrayEquals(new double[] {0, 0, 0, 0, 0.5, 0.5}, gradient(device, x, Tensor::min));
        // Per row of [[1, 3, 3], [3, 0, 0]] along dim 1.
        assertArrayEquals(new double[] {0, 0.5, 0.5, 1, 0, 0}, gradient(device, x, t -> t.view(2, 3).max(1)));
    }

    /** pow(a, b): 0 for the base wherever b = 0 (0^0 included), 0 for the exponent at a = 0 with b >= 0. */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void powAtZero(String device) {
        double[] a = {0, 0, 0, 2};
        double[] b = {0, 2, 0.5, 0};
        double[] grads = gradients(device, a, b, Tensor::pow);
        assertArrayEquals(new double[] {0, 0, Double.POSITIVE_INFINITY, 0, 0, 0, 0, Math.log(2)}, grads, 1e-6);
    }

    /** gelu's slope at 0 is Phi(0) = 1/2, taken where y / x would give 0 / 0. */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void geluAtZero(String device) {
        assertArrayEquals(new double[] {0.5}, gradient(device, new double[] {0}, Tensor::gelu));
        assertArrayEquals(new double[] {0.5}, gradient(device, new double[] {0}, Tensor::geluTanh));
    }

    /** d(sum f(x))/dx for x in F32 on the device (cpu) or F64 (reference). */
    private static double[] gradient(String device, double[] x, UnaryOperator<Tensor> f) {
        Tensor leaf = leaf(device, x);
        f.apply(leaf).sum().backward();
        return leaf.grad().toDoubleArray();
    }

    /** d(sum f(a, b))/da followed by d(sum f(a, b))/db. */
    private static double[] gradients(String device, double[] a, double[] b, BinaryOperator<Tensor> f) {
        Tensor left = leaf(device, a);
        Tensor right = leaf(device, b);
        f.apply(left, right).sum().backward();
        double[] da = left.grad().toDoubleArray();
        double[] db = right.grad().toDoubleArray();
        double[] both = Arrays.copyOf(da, da.length + db.length);
        System.arraycopy(db, 0, both, da.length, db.length);
        return both;
    }

    private static Tensor leaf(String device, double[] values) {
        Device d = Device.of(device);
        DType type = d == Device.reference() ? DType.F64 : DType.F32;
        return Tensor.of(values).to(type).to(d).requiresGrad(true);
    }
}
