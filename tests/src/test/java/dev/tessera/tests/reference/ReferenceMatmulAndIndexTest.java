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

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The reference backend's matmul and indexing ops (gather, scatterAdd, indexSelect, indexAdd), checked by hand. */
class ReferenceMatmulAndIndexTest {
    private static double[] d(double... v) {
        return v;
    }

    private static long[] l(long... v) {
        return v;
    }

    private static Tensor index32(int... values) {
        return on(Tensor.of(values));
    }

    private static void assertFails(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    // ---------------------------------------------------------------- matmul

    private static final double[] A = {1, 2, 3, 4, 5, 6}; // [[1, 2, 3], [4, 5, 6]]
    private static final double[] B = {7, 8, 9, 10, 11, 12}; // [[7, 8], [9, 10], [11, 12]]
    private static final double[] AB = {58, 64, 139, 154};

    @Test
    void matmulOfContiguousMatrices() {
        Tensor out = out(DType.F64, 2, 2);
        BACKEND.matmul(f64(A).view(2, 3), f64(B).view(3, 2), out);
        assertArrayEquals(AB, out.toDoubleArray());
    }

    @Test
    void matmulOfTransposedViews() {
        Tensor a = f64(1, 4, 2, 5, 3, 6).view(3, 2).t();
        Tensor b = f64(7, 9, 11, 8, 10, 12).view(2, 3).t();
        Tensor out = out(DType.F64, 2, 2);
        BACKEND.matmul(a, b, out);
        assertArrayEquals(AB, out.toDoubleArray());
    }

    @Test
    void matmulBatchesWithStrideZeroOnEitherSide() {
        Tensor a = f64(1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0).view(2, 2, 3);
        Tensor b = f64(B).view(3, 2).expand(2, 3, 2);
        Tensor out = out(DType.F64, 2, 2, 2);
        BACKEND.matmul(a, b, out);
        assertArrayEquals(d(58, 64, 139, 154, 7, 8, 9, 10), out.toDoubleArray());

        Tensor sharedA = f64(A).view(2, 3).expand(2, 2, 3);
        Tensor bs = f64(7, 8, 9, 10, 11, 12, 1, 0, 0, 1, 0, 0).view(2, 3, 2);
        BACKEND.matmul(sharedA, bs, out);
        assertArrayEquals(d(58, 64, 139, 154, 1, 2, 4, 5), out.toDoubleArray());
    }

    @Test
    void matmulWithAnEmptyInnerDimWritesZeros() {
        Tensor out = out(DType.F32, 2, 3);
        BACKEND.matmul(on(Tensor.zeros(2, 0)), on(Tensor.zeros(0, 3)), out);
        assertArrayEquals(new double[6], out.toDoubleArray());
        Tensor none = out(DType.F32, 0, 2);
        BACKEND.matmul(on(Tensor.zeros(0, 3)), on(Tensor.zeros(3, 2)), none);
        assertEquals(0, none.toDoubleArray().length);
    }

    @Test
    void matmulAccumulatesFloatsInDoubleAndRoundsOnce() {
        Tensor out = out(DType.F32, 1, 1);
        BACKEND.matmul(on(Tensor.of(new float[] {1e8f, 1, -1e8f, 1}, 1, 4)), on(Tensor.ones(4, 1)), out);
        assertArrayEquals(d(2), out.toDoubleArray()); // float accumulation would give 1
        Tensor bf16 = out(DType.BF16, 1, 1);
        Tensor a = on(Tensor.of(d(1, 0.00390625, 0.00390625), 1, 3).to(DType.BF16));
        BACKEND.matmul(a, on(Tensor.ones(DType.BF16, 3, 1)), bf16);
        assertArrayEquals(d(1.0078125), bf16.toDoubleArray());
    }

    @Test
    void matmulOfIntegersIsExact() {
        Tensor out = out(DType.I64, 1, 1);
        BACKEND.matmul(on(Tensor.of(l(TWO_POW_53 + 1, 1), 1, 2)), on(Tensor.of(l(1, 1), 2, 1)), out);
        assertArrayEquals(l(TWO_POW_53 + 2), out.toLongArray());
        BACKEND.matmul(on(Tensor.of(l(3_000_000_001L), 1, 1)), on(Tensor.of(l(3_000_000_001L), 1, 1)), out);
        assertArrayEquals(l(9_000_000_006_000_000_001L), out.toLongArray());
    }

    // ---------------------------------------------------------------- gather

    @Test
    void gatherAlongEachDim() {
        Tensor x = f64(1, 2, 3, 4).view(2, 2);
        Tensor out = out(DType.F64, 2, 2);
        BACKEND.gather(x, 1, on(Tensor.of(l(0, 0, 1, 0), 2, 2)), out);
        assertArrayEquals(d(1, 1, 4, 3), out.toDoubleArray());
        BACKEND.gather(x, 0, on(Tensor.of(l(1, 0, 0, 0), 2, 2)), out);
        assertArrayEquals(d(3, 2, 1, 2), out.toDoubleArray());
    }

    @Test
    void gatherWithASmallerI32IndexFromATransposedView() {
        Tensor x = f64(1, 2, 3, 4, 5, 6).view(3, 2).t(); // [[1, 3, 5], [2, 4, 6]]
        Tensor out = out(DType.F16, 2, 1);
        BACKEND.gather(x, 1, on(Tensor.of(new int[] {2, 0}, 2, 1)), out);
        assertArrayEquals(d(5, 2), out.toDoubleArray());
    }

    @Test
    void gatherKeepsI64ExactAndAcceptsAnEmptyIndex() {
        Tensor out = out(DType.I64, 2);
        BACKEND.gather(i64(1, TWO_POW_53 + 1), 0, i64(1, 1), out);
        assertArrayEquals(l(TWO_POW_53 + 1, TWO_POW_53 + 1), out.toLongArray());
        Tensor empty = out(DType.F64, 2, 0);
        BACKEND.gather(f64(1, 2).view(2, 1), 1, on(Tensor.zeros(DType.I64, 2, 0)), empty);
        assertEquals(0, empty.toDoubleArray().length);
    }

    @Test
    void gatherRefusesIndicesOutOfRange() {
        Tensor x = f64(1, 2, 3, 4).view(2, 2);
        assertFails("gather: index 2 is out of range for dim 1 of size 2",
                () -> BACKEND.gather(x, 1, on(Tensor.of(l(0, 2, 0, 0), 2, 2)), out(DType.F64, 2, 2)));
        assertFails("gather: index -1 is out of range for dim 0 of size 2",
                () -> BACKEND.gather(x, 0, on(Tensor.of(new int[] {0, -1}, 1, 2)), out(DType.F64, 1, 2)));
    }

    // ---------------------------------------------------------------- scatterAdd

    @Test
    void scatterAddAccumulatesRepeatedIndices() {
        Tensor out = on(Tensor.zeros(DType.F64, 3));
        BACKEND.scatterAdd(f64(1, 2, 3, 4), 0, i64(0, 2, 0, 1), out);
        assertArrayEquals(d(4, 4, 2), out.toDoubleArray());
    }

    @Test
    void scatterAddAlongEachDimOfAMatrix() {
        Tensor src = f64(1, 2, 3, 4).view(2, 2);
        Tensor rows = on(Tensor.zeros(DType.F64, 2, 3));
        BACKEND.scatterAdd(src, 1, on(Tensor.of(l(0, 0, 2, 1), 2, 2)), rows);
        assertArrayEquals(d(3, 0, 0, 0, 4, 3), rows.toDoubleArray());
        Tensor cols = on(Tensor.ones(DType.F64, 2, 2));
        BACKEND.scatterAdd(src.t(), 0, on(Tensor.of(new int[] {1, 0, 1, 1}, 2, 2)), cols); // src.t() = [[1, 3], [2, 4]]
        assertArrayEquals(d(1, 4, 4, 5), cols.toDoubleArray());
    }

    @Test
    void scatterAddRoundsToTheOutputDtypeAfterEachAdditionInSourceOrder() {
        Tensor f32 = on(Tensor.zeros(1));
        BACKEND.scatterAdd(on(Tensor.of(new float[] {1e8f, 1, 1, -1e8f})), 0, i64(0, 0, 0, 0), f32);
        assertArrayEquals(d(0), f32.toDoubleArray()); // 1e8 + 1 rounds back to 1e8 in float, twice
        Tensor bf16 = on(Tensor.ones(DType.BF16, 1));
        BACKEND.scatterAdd(on(Tensor.of(d(0.00390625, 0.00390625)).to(DType.BF16)), 0, i64(0, 0), bf16);
        assertArrayEquals(d(1), bf16.toDoubleArray()); // 1 + 2^-8 ties back to 1 in bfloat16, twice
    }

    @Test
    void scatterAddOfIntegersIsExact() {
        Tensor out = i64(TWO_POW_53, 5);
        BACKEND.scatterAdd(i64(1, 1), 0, i64(0, 0), out);
        assertArrayEquals(l(TWO_POW_53 + 2, 5), out.toLongArray());
    }

    @Test
    void scatterAddRefusesABadIndexBeforeWritingAnything() {
        Tensor out = f64(1, 2, 3);
        assertFails("scatter_add: index 5 is out of range for dim 0 of size 3",
                () -> BACKEND.scatterAdd(f64(10, 20), 0, i64(0, 5), out));
        assertArrayEquals(d(1, 2, 3), out.toDoubleArray());
    }

    // ---------------------------------------------------------------- indexSelect

    @Test
    void indexSelectPicksRowsAndColumns() {
        Tensor x = f64(1, 2, 3, 4, 5, 6).view(3, 2);
        Tensor rows = out(DType.F64, 3, 2);
        BACKEND.indexSelect(x, 0, i64(2, 0, 2), rows);
        assertArrayEquals(d(5, 6, 1, 2, 5, 6), rows.toDoubleArray());
        Tensor cols = out(DType.F64, 3, 1);
        BACKEND.indexSelect(x, 1, index32(1), cols);
        assertArrayEquals(d(2, 4, 6), cols.toDoubleArray());
    }

    @Test
    void indexSelectFromATransposedViewAndWithAnEmptyIndex() {
        Tensor x = f64(1, 2, 3, 4, 5, 6).view(3, 2).t(); // [[1, 3, 5], [2, 4, 6]]
        Tensor out = out(DType.BF16, 2, 2);
        BACKEND.indexSelect(x, 1, index32(2, 1), out);
        assertArrayEquals(d(5, 3, 6, 4), out.toDoubleArray());
        Tensor empty = out(DType.F64, 0, 2);
        BACKEND.indexSelect(f64(1, 2, 3, 4).view(2, 2), 0, on(Tensor.zeros(DType.I64, 0)), empty);
        assertEquals(0, empty.toDoubleArray().length);
    }

    @Test
    void indexSelectRefusesIndicesOutOfRange() {
        Tensor x = f64(1, 2, 3, 4, 5, 6).view(3, 2);
        assertFails("index_select: index 3 is out of range for dim 0 of size 3",
                () -> BACKEND.indexSelect(x, 0, i64(0, 3), out(DType.F64, 2, 2)));
        assertFails("index_select: index -2 is out of range for dim 1 of size 2",
                () -> BACKEND.indexSelect(x, 1, index32(-2), out(DType.F64, 3, 1)));
    }

    // ---------------------------------------------------------------- indexAdd

    @Test
    void indexAddAccumulatesRowsAndColumns() {
        Tensor src = f64(1, 2, 3, 4, 5, 6).view(3, 2);
        Tensor rows = on(Tensor.zeros(DType.F64, 3, 2));
        BACKEND.indexAdd(src, 0, i64(0, 2, 0), rows);
        assertArrayEquals(d(6, 8, 0, 0, 3, 4), rows.toDoubleArray());
        Tensor cols = on(Tensor.ones(DType.F64, 3, 3));
        BACKEND.indexAdd(src, 1, index32(2, 2), cols);
        assertArrayEquals(d(1, 1, 4, 1, 1, 8, 1, 1, 12), cols.toDoubleArray());
    }

    @Test
    void indexAddFromATransposedViewRoundsAfterEachAddition() {
        Tensor src = on(Tensor.of(new float[] {1e8f, 1, 1, -1e8f}, 4, 1)).t(); // [[1e8, 1, 1, -1e8]]
        Tensor out = on(Tensor.zeros(1, 1));
        BACKEND.indexAdd(src, 1, i64(0, 0, 0, 0), out);
        assertArrayEquals(d(0), out.toDoubleArray());
    }

    @Test
    void indexAddOfIntegersIsExactAndABadIndexWritesNothing() {
        Tensor out = i64(TWO_POW_53, 0);
        BACKEND.indexAdd(i64(1, 1, 7), 0, i64(0, 0, 1), out);
        assertArrayEquals(l(TWO_POW_53 + 2, 7), out.toLongArray());
        assertFails("index_add: index 2 is out of range for dim 0 of size 2",
                () -> BACKEND.indexAdd(i64(1, 1), 0, i64(0, 2), out));
        assertArrayEquals(l(TWO_POW_53 + 2, 7), out.toLongArray());
    }
}
