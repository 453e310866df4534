package dev.tessera.tests.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Losses;
import dev.tessera.nn.Losses.Reduction;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Cross-entropy against the formula -log softmax(logits)[target], its gradient, ignore_index and bad inputs. */
class CrossEntropyTest {
    private static final int IGNORE = -100;
    private static final double TOL = 1e-6;

    /** -log softmax(row)[target] = logsumexp(row) - row[target], in double. */
    private static double expectedLoss(double[] row, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : row) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : row) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum) - row[target];
    }

    @Test
    void matchesTheFormulaOnASmallCase() {
        double[][] rows = {{1, 2, 3}, {1, -1, 0}};
        int[] targets = {2, 0};
        Tensor logits = Tensor.of(new float[] {1, 2, 3, 1, -1, 0}, 2, 3);
        Tensor t = Tensor.of(new long[] {2, 0}, 2);
        double l0 = expectedLoss(rows[0], targets[0]);
        double l1 = expectedLoss(rows[1], targets[1]);
        float[] none = Losses.crossEntropy(logits, t, IGNORE, Reduction.NONE).toFloatArray();
        assertEquals(l0, none[0], TOL);
        assertEquals(l1, none[1], TOL);
        assertEquals(l0 + l1, Losses.crossEntropy(logits, t, IGNORE, Reduction.SUM).item(), TOL);
        assertEquals((l0 + l1) / 2, Losses.crossEntropy(logits, t, IGNORE, Reduction.MEAN).item(), TOL);
    }

    @Test
    void picksMinusLogSoftmaxForEveryRow() {
        Tensor logits = Tensor.randn(new Generator(1), 7, 5);
        long[] targets = Tensor.randint(new Generator(2), 0, 5, 7).toLongArray();
        float[] losses = Losses.crossEntropy(logits, Tensor.of(targets, 7), IGNORE, Reduction.NONE).toFloatArray();
        Tensor softmax = logits.softmax(1);
        for (int i = 0; i < 7; i++) {
            double p = softmax.select(0, i).select(0, targets[i]).item();
            assertEquals(-Math.log(p), losses[i], 1e-5, "row " + i);
        }
    }

    @Test
    void ignoredTargetsAreLeftOutOfTheMean() {
        Tensor logits = Tensor.randn(new Generator(3), 4, 3);
        Tensor targets = Tensor.of(new long[] {1, IGNORE, 2, IGNORE}, 4);
        float[] none = Losses.crossEntropy(logits, targets, IGNORE, Reduction.NONE).toFloatArray();
        assertEquals(0f, none[1]);
        assertEquals(0f, none[3]);
        double l0 = expectedLoss(logits.select(0, 0).toDoubleArray(), 1);
        double l2 = expectedLoss(logits.select(0, 2).toDoubleArray(), 2);
        assertEquals(l0, none[0], TOL);
        assertEquals(l2, none[2], TOL);
        assertEquals(l0 + l2, Losses.crossEntropy(logits, targets, IGNORE, Reduction.SUM).item(), TOL);
        assertEquals((l0 + l2) / 2, Losses.crossEntropy(logits, targets, IGNORE, Reduction.MEAN).item(), TOL);
    }

    @Test
    void anIgnoreIndexInsideTheClassRangeIsStillIgnored() {
        Tensor logits = Tensor.randn(new Generator(4), 3, 4);
        Tensor targets = Tensor.of(new long[] {0, 3, 0}, 3);
        double l1 = expectedLoss(logits.select(0, 1).toDoubleArray(), 3);
        assertEquals(l1, Losses.crossEntropy(logits, targets, 0, Reduction.MEAN).item(), TOL);
    }

    @Test
    void allIgnoredGivesNanMeanAndZeroSum() {
        Tensor logits = Tensor.randn(new Generator(5), 2, 3);
        Tensor targets = Tensor.of(new long[] {IGNORE, IGNORE}, 2);
        assertTrue(Double.isNaN(Losses.crossEntropy(logits, targets, IGNORE, Reduction.MEAN).item()));
        assertEquals(0.0, Losses.crossEntropy(logits, targets, IGNORE, Reduction.SUM).item());
    }

    @Test
    void gradientIsSoftmaxMinusOneHotOverTheValidCount() {
        Tensor logits = Tensor.randn(new Generator(6), 6, 5).requiresGrad(true);
        long[] ids = {4, IGNORE, 0, 2, IGNORE, 4};
        Tensor targets = Tensor.of(ids, 6);
        Losses.crossEntropy(logits, targets, IGNORE, Reduction.MEAN).backward();
        Tensor valid = targets.ne(IGNORE);
        Tensor oneHot = targets.maskedFill(valid.eq(0), 0).oneHot(5).to(DType.F32);
        Tensor expected = logits.detach().softmax(1).sub(oneHot).mul(valid.unsqueeze(1).to(DType.F32)).div(4);
        assertClose(expected.toFloatArray(), logits.grad().toFloatArray(), 1e-6);
        for (int c = 0; c < 5; c++) {
            assertEquals(0f, logits.grad().select(0, 1).toFloatArray()[c], "ignored row 1 gets no gradient");
        }
    }

    @Test
    void sumGradientIsNotDividedByTheCount() {
        Tensor logits = Tensor.randn(new Generator(7), 3, 4).requiresGrad(true);
        Tensor targets = Tensor.of(new int[] {1, 3, 0}, 3);
        Losses.crossEntropy(logits, targets, IGNORE, Reduction.SUM).backward();
        Tensor expected = logits.detach().softmax(1).sub(targets.oneHot(4).to(DType.F32));
        assertClose(expected.toFloatArray(), logits.grad().toFloatArray(), 1e-6);
    }

    @Test
    void leadingDimsAreFlattenedAndI32TargetsWork() {
        Tensor logits = Tensor.randn(new Generator(8), 2, 3, 4);
        Tensor targets = Tensor.randint(new Generator(9), 0, 4, 2, 3);
        Tensor batched = Losses.crossEntropy(logits, targets.to(DType.I32), IGNORE, Reduction.NONE);
        assertArrayEquals(new long[] {2, 3}, batched.shape());
        Tensor flat = Losses.crossEntropy(logits.reshape(6, 4), targets.reshape(6), IGNORE, Reduction.NONE);
        assertArrayEquals(flat.toFloatArray(), batched.reshape(6).toFloatArray());
    }

    @Test
    void halfPrecisionLogitsGiveAnF32LossAndAGradientInTheirOwnDtype() {
        Tensor wide = Tensor.randn(new Generator(10), 3, 5);
        Tensor bf16 = wide.to(DType.BF16).requiresGrad(true);
        Tensor targets = Tensor.of(new long[] {4, 0, 2}, 3);
        Tensor loss = Losses.crossEntropy(bf16, targets);
        assertEquals(DType.F32, loss.dtype());
        // The same values, already rounded to BF16, computed in F32 from the start.
        assertEquals(Losses.crossEntropy(bf16.detach().to(DType.F32), targets).item(), loss.item());
        loss.backward();
        assertEquals(DType.BF16, bf16.grad().dtype());
    }

    @Test
    void largeLogitsStayFinite() {
        Tensor logits = Tensor.of(new float[] {1000, 0, -1000, 1000}, 2, 2);
        float[] losses = Losses.crossEntropy(logits, Tensor.of(new long[] {1, 1}, 2), IGNORE, Reduction.NONE)
                .toFloatArray();
        assertEquals(1000f, losses[0]);
        assertEquals(0, losses[1], 0.0);
    }

    @Test
    void defaultsAreMeanAndIgnoreMinus100() {
        Tensor logits = Tensor.randn(new Generator(11), 3, 4);
        Tensor targets = Tensor.of(new long[] {1, -100, 3}, 3);
        assertEquals(Losses.crossEntropy(logits, targets, -100, Reduction.MEAN).item(),
                Losses.crossEntropy(logits, targets).item());
    }

    @Test
    void refusesBadShapesDtypesAndTargets() {
        Tensor logits = Tensor.zeros(2, 3);
        var shape = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new long[] {0, 1, 2}, 3), IGNORE, Reduction.MEAN));
        assertTrue(shape.getMessage().contains("[3]") && shape.getMessage().contains("[2, 3]"), shape.getMessage());
        var high = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new long[] {0, 3}, 2), IGNORE, Reduction.MEAN));
        assertTrue(high.getMessage().contains("[0, 3)") && high.getMessage().contains("to 3"), high.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new long[] {-1, 0}, 2), IGNORE, Reduction.MEAN));
        var floatTargets = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.zeros(2), IGNORE, Reduction.MEAN));
        assertTrue(floatTargets.getMessage().contains("F32"), floatTargets.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(
                Tensor.zeros(DType.I64, 2, 3), Tensor.of(new long[] {0, 1}, 2), IGNORE, Reduction.MEAN));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(
                Tensor.scalar(1), Tensor.of(new long[] {0}, 1), IGNORE, Reduction.MEAN));
    }

    static void assertClose(float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }
}
