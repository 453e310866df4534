package dev.tessera.tests.reference;

import static dev.tessera.tests.reference.Ref.BACKEND;
import static dev.tessera.tests.reference.Ref.TWO_POW_53;
import static dev.tessera.tests.reference.Ref.f64;
import static dev.tessera.tests.reference.Ref.i64;
import static dev.tessera.tests.reference.Ref.on;
import static dev.tessera.tests.reference.Ref.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The reference backend's reductions and along-dim ops (reduce, argReduce, softmax, cumsum, topk), checked by hand. */
class ReferenceReductionTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double LN2 = 0.6931471805599453;

    private static double[] d(double... v) {
        return v;
    }

    private static long[] l(long... v) {
        return v;
    }

    private static double[] reduceRows(Op op, double[] values, long rows, long cols) {
        Tensor out = out(DType.F64, rows, 1);
        BACKEND.reduce(op, f64(values).view(rows, cols), out);
        return out.toDoubleArray();
    }

    // ---------------------------------------------------------------- reduce

    @Test
    void sumOverEachDimAndOverAll() {
        Tensor x = f64(1, 2, 3, 4, 5, 6).view(2, 3);
        Tensor rows = out(DType.F64, 2, 1);
        BACKEND.reduce(Op.SUM, x, rows);
        assertArrayEquals(d(6, 15), rows.toDoubleArray());
        Tensor cols = out(DType.F64, 1, 3);
        BACKEND.reduce(Op.SUM, x, cols);
        assertArrayEquals(d(5, 7, 9), cols.toDoubleArray());
        Tensor all = out(DType.F64, 1, 1);
        BACKEND.reduce(Op.SUM, x, all);
        assertArrayEquals(d(21), all.toDoubleArray());
    }

    @Test
    void sumOverTheOuterDimsOfA3dTransposedView() {
        // x[i][j][k] = 12i + 4j + k seen through a transpose of dims 0 and 2: shape [4, 3, 2].
        double[] values = new double[24];
        for (int i = 0; i < 24; i++) {
            values[i] = i;
        }
        Tensor x = f64(values).view(2, 3, 4).transpose(0, 2);
        Tensor out = out(DType.F64, 1, 3, 1);
        BACKEND.reduce(Op.SUM, x, out);
        // sum over i in {0,1}, k in 0..3 of 12i + 4j + k = 8*4j + (0+12)*4 + (0+1+2+3)*2 = 32j + 60
        assertArrayEquals(d(60, 92, 124), out.toDoubleArray());
    }

    @Test
    void sumAccumulatesFloatsInDouble() {
        // In float, 1e8 + 1 rounds back to 1e8 and the sum would end at 1; in double it is 2.
        Tensor x = on(Tensor.of(new float[] {1e8f, 1, -1e8f, 1}));
        Tensor out = out(DType.F32, 1);
        BACKEND.reduce(Op.SUM, x, out);
        assertArrayEquals(d(2), out.toDoubleArray());
        // bfloat16: 1 + 2^-8 + 2^-8 is 1 + 2^-7 exactly; adding in bfloat16 would tie back to 1 twice.
        Tensor b = on(Tensor.of(d(1, 0.00390625, 0.00390625)).to(DType.BF16));
        Tensor bout = out(DType.BF16, 1);
        BACKEND.reduce(Op.SUM, b, bout);
        assertArrayEquals(d(1.0078125), bout.toDoubleArray());
    }

    @Test
    void sumOfIntegersAndBoolsIsExactInI64() {
        Tensor out = out(DType.I64, 1);
        BACKEND.reduce(Op.SUM, on(Tensor.of(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE})), out);
        assertArrayEquals(l(2L * Integer.MAX_VALUE), out.toLongArray());
        BACKEND.reduce(Op.SUM, i64(TWO_POW_53, 1, 1), out);
        assertArrayEquals(l(TWO_POW_53 + 2), out.toLongArray());
        BACKEND.reduce(Op.SUM, on(Tensor.of(new boolean[] {true, false, true, true})), out);
        assertArrayEquals(l(3), out.toLongArray());
    }

    @Test
    void emptySumIsZeroAndEmptyLogSumExpIsMinusInfinity() {
        Tensor rows = out(DType.F32, 1, 3);
        BACKEND.reduce(Op.SUM, on(Tensor.zeros(0, 3)), rows);
        assertArrayEquals(d(0, 0, 0), rows.toDoubleArray());
        Tensor ints = out(DType.I64, 2, 1);
        BACKEND.reduce(Op.SUM, on(Tensor.zeros(DType.I32, 2, 0)), ints);
        assertArrayEquals(l(0, 0), ints.toLongArray());
        Tensor lse = out(DType.F64, 2, 1);
        BACKEND.reduce(Op.LOGSUMEXP, on(Tensor.zeros(DType.F64, 2, 0)), lse);
        assertArrayEquals(d(-INF, -INF), lse.toDoubleArray());
        Tensor none = out(DType.F64, 0, 1);
        BACKEND.reduce(Op.SUM, on(Tensor.zeros(DType.F64, 0, 4)), none);
        assertEquals(0, none.toDoubleArray().length);
    }

    @Test
    void reducingAScalarGivesItBack() {
        Tensor out = out(DType.F64);
        BACKEND.reduce(Op.SUM, on(Tensor.scalar(2.5, DType.F64)), out);
        assertEquals(2.5, out.item());
        BACKEND.reduce(Op.LOGSUMEXP, on(Tensor.scalar(2.5, DType.F64)), out);
        assertEquals(2.5, out.item());
    }

    @Test
    void maxAndMinPropagateNan() {
        assertArrayEquals(d(3, NAN, -1), reduceRows(Op.MAX, d(1, 3, 2, 1, NAN, 3, -INF, -1, -2), 3, 3));
        assertArrayEquals(d(1, NAN, -INF), reduceRows(Op.MIN, d(1, 3, 2, 1, NAN, 3, -INF, -1, -2), 3, 3));
    }

    @Test
    void maxAndMinOfIntegersAreExact() {
        Tensor out = out(DType.I64, 1);
        BACKEND.reduce(Op.MAX, i64(TWO_POW_53, TWO_POW_53 + 1, -5), out);
        assertArrayEquals(l(TWO_POW_53 + 1), out.toLongArray());
        BACKEND.reduce(Op.MIN, i64(-TWO_POW_53, -TWO_POW_53 - 1, 5), out);
        assertArrayEquals(l(-TWO_POW_53 - 1), out.toLongArray());
    }

    @Test
    void logSumExpIsShiftedAndHandlesInfinities() {
        double[] got = reduceRows(Op.LOGSUMEXP, d(0, 0, 1000, 1000, -INF, -INF, INF, 1, -INF, 0, NAN, 1), 6, 2);
        assertArrayEquals(d(LN2, 1000.6931471805599, -INF, INF, 0, NAN), got);
    }

    // ---------------------------------------------------------------- argReduce

    @Test
    void argmaxAndArgminTakeTheLowestTiedIndexAndTheFirstNan() {
        Tensor x = f64(1, 3, 3, 2, NAN, NAN, 5, 5, -1).view(3, 3);
        Tensor out = out(DType.I64, 3, 1);
        BACKEND.argReduce(Op.ARGMAX, x, 1, out);
        assertArrayEquals(l(1, 1, 0), out.toLongArray());
        Tensor y = f64(3, 1, 1, NAN, 0, NAN, 2, -INF, -INF).view(3, 3);
        BACKEND.argReduce(Op.ARGMIN, y, 1, out);
        assertArrayEquals(l(1, 0, 1), out.toLongArray());
    }

    @Test
    void argReduceAlongDimZeroOfATransposedView() {
        Tensor x = f64(1, 9, 4, 7, 2, 8).view(2, 3).t(); // [[1, 7], [9, 2], [4, 8]]
        Tensor out = out(DType.I64, 1, 2);
        BACKEND.argReduce(Op.ARGMAX, x, 0, out);
        assertArrayEquals(l(1, 2), out.toLongArray());
        BACKEND.argReduce(Op.ARGMIN, x, 0, out);
        assertArrayEquals(l(0, 1), out.toLongArray());
    }

    @Test
    void argReduceOfIntegersIsExact() {
        Tensor out = out(DType.I64, 1);
        BACKEND.argReduce(Op.ARGMAX, i64(TWO_POW_53, TWO_POW_53 + 1), 0, out);
        assertArrayEquals(l(1), out.toLongArray());
        BACKEND.argReduce(Op.ARGMIN, i64(TWO_POW_53 + 1, TWO_POW_53), 0, out);
        assertArrayEquals(l(1), out.toLongArray());
    }

    @Test
    void argReduceRefusesAnEmptyDim() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BACKEND.argReduce(Op.ARGMAX, on(Tensor.zeros(2, 0)), 1, out(DType.I64, 2, 1)));
        assertTrue(e.getMessage().startsWith("argmax: cannot reduce dim 1 of size 0"), e.getMessage());
    }

    // ---------------------------------------------------------------- softmax

    @Test
    void softmaxAndLogSoftmaxMatchFortyDigitValues() {
        Tensor x = f64(1, 2, 3);
        Tensor out = out(DType.F64, 3);
        BACKEND.softmax(Op.SOFTMAX, x, 0, out);
        double[] want = {0.09003057317038046, 0.24472847105479764, 0.6652409557748219};
        assertArrayEquals(want, out.toDoubleArray(), 2e-16);
        BACKEND.softmax(Op.LOG_SOFTMAX, x, 0, out);
        assertArrayEquals(d(-2.40760596444438, -1.4076059644443804, -0.4076059644443803), out.toDoubleArray(), 5e-16);
    }

    @Test
    void softmaxIsShiftedAndFollowsPyTorchOnInfinities() {
        // rows: large equal values; one -inf; all -inf (NaN, as PyTorch); +inf present (NaN, as PyTorch).
        Tensor x = f64(1000, 1000, -INF, 0, -INF, -INF, INF, 1).view(4, 2);
        Tensor out = out(DType.F64, 4, 2);
        BACKEND.softmax(Op.SOFTMAX, x, 1, out);
        assertArrayEquals(d(0.5, 0.5, 0, 1, NAN, NAN, NAN, NAN), out.toDoubleArray());
        BACKEND.softmax(Op.LOG_SOFTMAX, x, 1, out);
        assertArrayEquals(d(-LN2, -LN2, -INF, 0, NAN, NAN, NAN, NAN), out.toDoubleArray());
    }

    @Test
    void softmaxAlongDimZeroOfAViewIntoBf16() {
        Tensor x = f64(0, LN2 * 3, 0, 0).view(2, 2).t(); // columns [0, 3 ln 2] and [0, 0]
        Tensor out = out(DType.BF16, 2, 2);
        BACKEND.softmax(Op.SOFTMAX, x, 0, out);
        // column 0: [1/9, 8/9], in bfloat16 228 * 2^-11 and 228 * 2^-8; column 1: [0.5, 0.5]
        assertArrayEquals(d(0.111328125, 0.5, 0.890625, 0.5), out.toDoubleArray());
    }

    @Test
    void softmaxOfEmptyTensorsWritesNothing() {
        Tensor out = out(DType.F32, 0, 3);
        BACKEND.softmax(Op.SOFTMAX, on(Tensor.zeros(0, 3)), 1, out);
        assertEquals(0, out.toDoubleArray().length);
        Tensor cols = out(DType.F32, 2, 0);
        BACKEND.softmax(Op.LOG_SOFTMAX, on(Tensor.zeros(2, 0)), 1, cols);
        assertEquals(0, cols.toDoubleArray().length);
    }

    // ---------------------------------------------------------------- cumsum

    @Test
    void cumsumAlongEachDim() {
        Tensor x = f64(1, 2, 3, 4, 5, 6).view(2, 3);
        Tensor out = out(DType.F64, 2, 3);
        BACKEND.cumsum(x, 1, out);
        assertArrayEquals(d(1, 3, 6, 4, 9, 15), out.toDoubleArray());
        BACKEND.cumsum(x, 0, out);
        assertArrayEquals(d(1, 2, 3, 5, 7, 9), out.toDoubleArray());
        Tensor t = out(DType.F64, 3, 2);
        BACKEND.cumsum(x.t(), 0, t); // [[1, 4], [2, 5], [3, 6]]
        assertArrayEquals(d(1, 4, 3, 9, 6, 15), t.toDoubleArray());
    }

    @Test
    void cumsumRunsInDoubleAndRoundsEachOutput() {
        // Running sums 1e8, 1e8+1, 1e8+2, 2: the middle two round to 1e8 in float, the last is exact.
        Tensor out = out(DType.F32, 4);
        BACKEND.cumsum(on(Tensor.of(new float[] {1e8f, 1, 1, -1e8f})), 0, out);
        assertArrayEquals(d(1e8, 1e8, 1e8, 2), out.toDoubleArray());
    }

    @Test
    void cumsumOfIntegersIsExact() {
        Tensor out = out(DType.I64, 3);
        BACKEND.cumsum(i64(TWO_POW_53, 1, 1), 0, out);
        assertArrayEquals(l(TWO_POW_53, TWO_POW_53 + 1, TWO_POW_53 + 2), out.toLongArray());
        Tensor counts = out(DType.I64, 3);
        BACKEND.cumsum(on(Tensor.of(new boolean[] {true, false, true})), 0, counts);
        assertArrayEquals(l(1, 1, 2), counts.toLongArray());
    }

    @Test
    void cumsumOfScalarsAndEmptyTensors() {
        Tensor empty = out(DType.F64, 0);
        BACKEND.cumsum(on(Tensor.zeros(DType.F64, 0)), 0, empty);
        assertEquals(0, empty.toDoubleArray().length);
        Tensor one = out(DType.F64, 1);
        BACKEND.cumsum(f64(7), 0, one);
        assertArrayEquals(d(7), one.toDoubleArray());
    }

    // ---------------------------------------------------------------- topk

    private static void assertTopk(Tensor x, int dim, int k, boolean largest, long[] shape, double[] values, long[] indices) {
        Tensor v = out(x.dtype(), shape);
        Tensor i = out(DType.I64, shape);
        BACKEND.topk(x, dim, k, largest, v, i);
        assertArrayEquals(values, v.toDoubleArray(), "values");
        assertArrayEquals(indices, i.toLongArray(), "indices");
    }

    @Test
    void topkSortsBestFirstWithNanLargestAndTiesByIndex() {
        Tensor x = f64(3, 1, NAN, 3, 2);
        assertTopk(x, 0, 3, true, l(3), d(NAN, 3, 3), l(2, 0, 3));
        assertTopk(x, 0, 3, false, l(3), d(1, 2, 3), l(1, 4, 0));
        assertTopk(x, 0, 5, false, l(5), d(1, 2, 3, 3, NAN), l(1, 4, 0, 3, 2));
    }

    @Test
    void topkTreatsMinusZeroAndZeroAsATie() {
        assertTopk(f64(-0.0, 0.0, -1), 0, 2, true, l(2), d(-0.0, 0.0), l(0, 1));
        assertTopk(f64(0.0, -0.0, 1), 0, 2, false, l(2), d(0.0, -0.0), l(0, 1));
    }

    @Test
    void topkAlongDimZeroOfATransposedView() {
        Tensor x = f64(5, 1, 4, 2, 6, 3).view(2, 3).t(); // [[5, 2], [1, 6], [4, 3]]
        assertTopk(x, 0, 2, true, l(2, 2), d(5, 6, 4, 3), l(0, 1, 2, 2));
        assertTopk(x, 1, 1, false, l(3, 1), d(2, 1, 3), l(1, 0, 1));
    }

    @Test
    void topkOfIntegersIsExactAndKZeroWritesNothing() {
        Tensor x = i64(TWO_POW_53, TWO_POW_53 + 1, TWO_POW_53);
        Tensor v = out(DType.I64, 2);
        Tensor i = out(DType.I64, 2);
        BACKEND.topk(x, 0, 2, true, v, i);
        assertArrayEquals(l(TWO_POW_53 + 1, TWO_POW_53), v.toLongArray());
        assertArrayEquals(l(1, 0), i.toLongArray());
        assertTopk(f64(1, 2), 0, 0, true, l(0), d(), l());
    }
}
