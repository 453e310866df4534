package dev.tessera.tests.autograd.engine;

import static dev.tessera.tests.autograd.engine.Graphs.assertSameValues;
import static dev.tessera.tests.autograd.engine.Graphs.assertThrowsMentioning;
import static dev.tessera.tests.autograd.engine.Graphs.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tessera.autograd.Autograd;
import dev.tessera.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code Autograd.grad}: gradients returned, leaves' {@code grad()} left alone. */
class AutogradGradTest {
    @Test
    void returnsGradientsWithoutTouchingGrad() {
        Tensor x = tensor(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y = tensor(new double[] {4, 5, 6}, 3).requiresGrad(true);
        Tensor earlier = Tensor.full(7, 3);
        y.setGrad(earlier);
        List<Tensor> grads = Autograd.grad(x.mul(y).sum(), List.of(x, y));
        assertSameValues(tensor(new double[] {4, 5, 6}, 3), grads.get(0));
        assertSameValues(tensor(new double[] {1, 2, 3}, 3), grads.get(1));
        assertNull(x.grad());
        assertEquals(earlier, y.grad());
    }

    @Test
    void anUnusedInputGetsZeros() {
        Tensor x = tensor(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor unused = Tensor.ones(2, 3).requiresGrad(true);
        List<Tensor> grads = Autograd.grad(x.mul(x).sum(), List.of(unused, x));
        assertSameValues(Tensor.zeros(2, 3), grads.get(0));
        assertSameValues(tensor(new double[] {2, 4}, 2), grads.get(1));
    }

    @Test
    void severalWeightedOutputs() {
        Tensor x = tensor(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor twice = x.mul(2);
        Tensor square = x.mul(x);
        List<Tensor> grads = Autograd.grad(List.of(twice, square),
                List.of(tensor(new double[] {1, 10}, 2), tensor(new double[] {100, 1000}, 2)), List.of(x), false);
        // 2 * [1, 10] + 2x * [100, 1000]
        assertSameValues(tensor(new double[] {202, 4020}, 2), grads.get(0));
    }

    @Test
    void refusesInputsThatAreNotLeavesOrDoNotRequireGrad() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor hidden = x.mul(3);
        Tensor loss = hidden.sum();
        assertThrowsMentioning(IllegalArgumentException.class, () -> Autograd.grad(loss, List.of(hidden)),
                "leaves", "mul", "detach()");
        assertThrowsMentioning(IllegalArgumentException.class, () -> Autograd.grad(loss, List.of(Tensor.ones(2))),
                "does not require grad");
        assertSameValues(Tensor.full(3, 2), Autograd.grad(loss, List.of(x)).get(0)); // nothing was freed by the refusals
    }

    @Test
    void refusesOutputsThatDoNotRequireGradAndMismatchedCounts() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        assertThrowsMentioning(IllegalArgumentException.class, () -> Autograd.grad(Tensor.ones(1), List.of(x)),
                "output", "does not require grad");
        assertThrowsMentioning(IllegalArgumentException.class,
                () -> Autograd.grad(List.of(x.mul(2)), List.of(), List.of(x), false), "1 outputs but 0");
        assertThrowsMentioning(IllegalArgumentException.class, () -> Autograd.grad(x.mul(2), List.of(x)),
                "one element", "[2]");
    }
}
