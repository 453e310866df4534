package dev.tessera.tests.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** toString prints like NumPy and PyTorch, and says shape, dtype and device. */
class TensorFormatTest {
    private static String suffix(String shape, String dtype) {
        return ", shape=" + shape + ", dtype=" + dtype + ", device=cpu)";
    }

    @Test
    void vectorsOfEachKind() {
        assertEquals("tensor([ 1.5000, -2.2500,  3.0000]" + suffix("[3]", "float32"),
                Tensor.of(new float[] {1.5f, -2.25f, 3}).toString());
        assertEquals("tensor([1., 2., 3.]" + suffix("[3]", "float32"), Tensor.of(new float[] {1, 2, 3}).toString());
        assertEquals("tensor([-0.,  2.]" + suffix("[2]", "float64"), Tensor.of(new double[] {-0.0, 2}).toString());
        assertEquals("tensor([  1, -20, 300]" + suffix("[3]", "int64"), Tensor.of(new long[] {1, -20, 300}).toString());
        assertEquals("tensor([7, 8]" + suffix("[2]", "int32"), Tensor.of(new int[] {7, 8}).toString());
        assertEquals("tensor([ True, False]" + suffix("[2]", "bool"), Tensor.of(new boolean[] {true, false}).toString());
        assertEquals("tensor([0.1001, 0.2002]" + suffix("[2]", "bfloat16"),
                Tensor.of(new float[] {0.1f, 0.2f}).to(DType.BF16).toString());
        assertEquals("tensor([0.3333]" + suffix("[1]", "float16"),
                Tensor.of(new float[] {1 / 3f}).to(DType.F16).toString());
    }

    @Test
    void scalarsAndEmptyTensors() {
        assertEquals("tensor(2.5000" + suffix("[]", "float32"), Tensor.scalar(2.5).toString());
        assertEquals("tensor(7" + suffix("[]", "int64"), Tensor.scalar(7, DType.I64).toString());
        assertEquals("tensor(True" + suffix("[]", "bool"), Tensor.scalar(1, DType.BOOL).toString());
        assertEquals("tensor([]" + suffix("[0]", "float32"), Tensor.zeros(0).toString());
        assertEquals("tensor([]" + suffix("[2, 0]", "int32"), Tensor.zeros(DType.I32, 2, 0).toString());
    }

    @Test
    void nonFiniteValuesAndScientificNotation() {
        assertEquals("tensor([ nan,  inf, -inf,   1.]" + suffix("[4]", "float32"),
                Tensor.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1}).toString());
        assertEquals("tensor([nan]" + suffix("[1]", "float32"), Tensor.of(new float[] {Float.NaN}).toString());
        assertEquals("tensor([1.0000e-05, 1.0000e+00]" + suffix("[2]", "float32"),
                Tensor.of(new float[] {1e-5f, 1}).toString());
        assertEquals("tensor([1.0000e+08, 1.0000e+00]" + suffix("[2]", "float32"),
                Tensor.of(new float[] {1e8f, 1}).toString());
        assertEquals("tensor([   0.5000, 1000.5000]" + suffix("[2]", "float32"),
                Tensor.of(new float[] {0.5f, 1000.5f}).toString());
    }

    @Test
    void integersPrintExactly() {
        long big = (1L << 53) + 1;
        assertEquals("tensor([    9007199254740993, -9223372036854775808]" + suffix("[2]", "int64"),
                Tensor.of(new long[] {big, Long.MIN_VALUE}).toString());
    }

    @Test
    void matricesAlignTheirColumns() {
        assertEquals("""
                tensor([[ 1.0000,  2.5000],
                        [-3.0000,  4.0000]], shape=[2, 2], dtype=float32, device=cpu)""",
                Tensor.of(new float[][] {{1, 2.5f}, {-3, 4}}).toString());
        assertEquals("""
                tensor([[[0, 1],
                         [2, 3]],

                        [[4, 5],
                         [6, 7]]], shape=[2, 2, 2], dtype=int64, device=cpu)""",
                Tensor.arange(8).view(2, 2, 2).toString());
        assertEquals("""
                tensor([[ 0,  3],
                        [ 1,  4],
                        [ 2, 10]], shape=[3, 2], dtype=int32, device=cpu)""",
                Tensor.of(new int[] {0, 1, 2, 3, 4, 10}, 2, 3).t().toString(), "views print their own order");
    }

    @Test
    void bigTensorsAreShortened() {
        String s = Tensor.arange(10_000).view(100, 100).toString();
        assertEquals("""
                tensor([[   0,    1,    2, ...,   97,   98,   99],
                        [ 100,  101,  102, ...,  197,  198,  199],
                        [ 200,  201,  202, ...,  297,  298,  299],
                        ...,
                        [9700, 9701, 9702, ..., 9797, 9798, 9799],
                        [9800, 9801, 9802, ..., 9897, 9898, 9899],
                        [9900, 9901, 9902, ..., 9997, 9998, 9999]], shape=[100, 100], dtype=int64, device=cpu)""", s);
        assertEquals("""
                tensor([[   0,    1,    2, ..., 1497, 1498, 1499],
                        [1500, 1501, 1502, ..., 2997, 2998, 2999]], shape=[2, 1500], dtype=int64, device=cpu)""",
                Tensor.arange(3000).view(2, 1500).toString(), "only long dims are cut");
        assertEquals(1000, Tensor.zeros(1000).toString().split(",").length - 3, "1000 elements print in full");
    }

    @Test
    void shorteningReadsOnlyTheEdges() {
        // 2^40 elements over one float (stride 0): converting them all could never finish.
        String s = Tensor.scalar(1.5).expand(1L << 20, 1L << 20).toString();
        assertTrue(s.startsWith("tensor([[1.5000, 1.5000, 1.5000, ..., 1.5000, 1.5000, 1.5000],"), s);
        assertTrue(s.endsWith("shape=[1048576, 1048576], dtype=float32, device=cpu)"), s);
        assertTrue(s.length() < 600, s);
    }
}
