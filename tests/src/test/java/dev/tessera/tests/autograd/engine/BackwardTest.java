package dev.tessera.tests.autograd.engine;

import static dev.tessera.tests.autograd.engine.Graphs.assertClose;
import static dev.tessera.tests.autograd.engine.Graphs.assertSameValues;
import static dev.tessera.tests.autograd.engine.Graphs.assertThrowsMentioning;
import static dev.tessera.tests.autograd.engine.Graphs.tensor;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@code Tensor.backward} and the leaf slot: values checked against gradients worked out by hand. */
class BackwardTest {
    @Test
    void theTourGivesTheHandComputedGradient() {
        Tensor x = tensor(new double[] {1, -2, 3, 0.5, 1, -1}, 2, 3).requiresGrad(true);
        Tensor w = tensor(new double[] {1, 2, -1, 0, 0.5, 1}, 3, 2);
        x.matmul(w).relu().sum().backward();
        // x @ w = [[4.5, 5], [-1, 0]]: relu passes (0,0), (0,1), neither of row 1 (0 is not > 0).
        // d/dx[i][k] = sum_j mask[i][j] * w[k][j]: row 0 gets the row sums of w, row 1 nothing.
        assertSameValues(tensor(new double[] {3, -1, 1.5, 0, 0, 0}, 2, 3), x.grad());
        assertNull(w.grad(), "w does not require grad");
    }

    @Test
    void gradientsAccumulateUntilZeroGrad() {
        Tensor x = tensor(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor c = tensor(new double[] {2, 3, 4}, 3);
        x.mul(c).sum().backward();
        Tensor first = x.grad();
        x.mul(c).sum().backward();
        assertSameValues(tensor(new double[] {4, 6, 8}, 3), x.grad());
        assertSameValues(tensor(new double[] {2, 3, 4}, 3), first); // accumulating made a new tensor
        x.zeroGrad();
        assertNull(x.grad());
        x.mul(c).sum().backward();
        assertSameValues(c, x.grad());
    }

    @Test
    void aNonScalarOutputTakesAGradientOfItsShape() {
        Tensor x = tensor(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor y = x.mul(x);
        y.backward(tensor(new double[] {1, 0, 10, -1}, 2, 2));
        assertSameValues(tensor(new double[] {2, 0, 60, -8}, 2, 2), x.grad());
    }

    @Test
    void aGradientOfAnotherShapeOrDtypeIsRefused() {
        Tensor x = tensor(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor y = x.mul(x);
        assertThrowsMentioning(IllegalArgumentException.class, () -> y.backward(Tensor.ones(4)), "[4]", "[2, 2]");
        assertThrowsMentioning(IllegalArgumentException.class, () -> y.backward(Tensor.ones(DType.F64, 2, 2)),
                "F64", "F32");
        assertNull(x.grad());
    }

    @Test
    void scalarBackwardOnANonScalarIsRefused() {
        Tensor y = tensor(new double[] {1, 2, 3}, 3).requiresGrad(true).mul(2);
        assertThrowsMentioning(IllegalArgumentException.class, y::backward, "one element", "[3]", "backward(gradient)");
    }

    @Test
    void aTensorUsedTwiceGetsTheSumOfItsGradients() {
        Tensor x = tensor(new double[] {1, -2, 3}, 3).requiresGrad(true);
        x.mul(x).sum().backward();
        assertSameValues(tensor(new double[] {2, -4, 6}, 3), x.grad());

        Tensor z = tensor(new double[] {1, -2, 3}, 3).requiresGrad(true);
        z.add(z).sum().backward();
        assertSameValues(tensor(new double[] {2, 2, 2}, 3), z.grad());

        // Two paths of different lengths meeting again: d/dv of (v*v + v) * v = 3v^2 + 2v.
        Tensor v = tensor(new double[] {1, 2}, 2).requiresGrad(true);
        v.mul(v).add(v).mul(v).sum().backward();
        assertSameValues(tensor(new double[] {5, 16}, 2), v.grad());
    }

    @Test
    void detachStopsGradients() {
        Tensor x = tensor(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y = x.mul(x);
        Tensor cut = y.detach();
        assertTrue(cut.isLeaf());
        assertFalse(cut.requiresGrad());
        assertSame(y.storage(), cut.storage(), "detach shares the data");
        // Only the direct path reaches x: d/dx of x * stop(x*x) = x*x.
        x.mul(cut).sum().backward();
        assertSameValues(tensor(new double[] {1, 4, 9}, 3), x.grad());
    }

    @Test
    void onlyFloatingLeavesCanRequireGrad() {
        assertThrowsMentioning(IllegalArgumentException.class, () -> Tensor.arange(4).to(DType.I32).requiresGrad(true),
                "floating", "I32");
        Tensor y = Tensor.ones(3).requiresGrad(true).mul(2);
        assertThrowsMentioning(IllegalArgumentException.class, () -> y.requiresGrad(true), "leaf", "mul", "detach()");
    }

    @Test
    void broadcastingSumsTheGradientBackToTheOperandShape() {
        Tensor row = tensor(new double[] {1, 2, 3}, 1, 3).requiresGrad(true);
        Tensor column = tensor(new double[] {10, 20}, 2, 1).requiresGrad(true);
        row.mul(column).sum().backward();
        assertSameValues(tensor(new double[] {30, 30, 30}, 1, 3), row.grad());
        assertSameValues(tensor(new double[] {6, 6}, 2, 1), column.grad());
    }

    @Test
    void reshapeAndExpandViewsPassGradientsThrough() {
        Generator g = new Generator(7);
        Tensor x = Tensor.randn(g, 2, 3).requiresGrad(true);
        Tensor weights = Tensor.randn(g, 4, 3, 2);
        // expand [2,3] -> [4,2,3], reshape to [4,6] and back: d/dx = sum over the 4 copies of the weights^T.
        x.expand(4, 2, 3).reshape(4, 6).reshape(4, 2, 3).mul(weights.transpose(1, 2)).sum().backward();
        assertClose(weights.sum(0).t(), x.grad(), 1e-6);
    }
}
