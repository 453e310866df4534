package dev.tessera.tests.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.nn.Losses;
import dev.tessera.nn.Losses.Reduction;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** MSE values for each reduction, its gradient 2 (pred - target) / n, and bad inputs. */
class MseTest {
    private final Tensor target = Tensor.of(new float[] {0, 2, 5, -1}, 2, 2);

    @Test
    void valuesForEachReduction() {
        Tensor pred = Tensor.of(new float[] {1, 2, 3, 1}, 2, 2);
        assertArrayEquals(new float[] {1, 0, 4, 4}, Losses.mse(pred, target, Reduction.NONE).toFloatArray());
        assertEquals(9.0, Losses.mse(pred, target, Reduction.SUM).item(), 1e-6);
        assertEquals(9.0 / 4, Losses.mse(pred, target, Reduction.MEAN).item(), 1e-6);
    }

    @Test
    void meanGradientIsTwiceTheDifferenceOverN() {
        Tensor pred = Tensor.of(new float[] {1, 2, 3, 1}, 2, 2).requiresGrad(true);
        Losses.mse(pred, target, Reduction.MEAN).backward();
        assertArrayEquals(new float[] {2 * 1 / 4f, 0, 2 * -2 / 4f, 2 * 2 / 4f}, pred.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void refusesMismatchedShapesAndDtypes() {
        assertThrows(IllegalArgumentException.class, () -> Losses.mse(Tensor.zeros(4), target, Reduction.MEAN));
        assertThrows(IllegalArgumentException.class,
                () -> Losses.mse(Tensor.zeros(DType.F64, 2, 2), target, Reduction.MEAN));
        assertThrows(IllegalArgumentException.class,
                () -> Losses.mse(Tensor.zeros(DType.I64, 2, 2), Tensor.zeros(DType.I64, 2, 2), Reduction.MEAN));
    }
}
