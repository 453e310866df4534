package dev.tessera.tests.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.cpu.Gemm;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The CPU GEMM against a plain double-precision triple loop, over sizes that are and are not
 * multiples of the tile and vector sizes, every layout a view can have, and broadcast batches.
 *
 * <p>Tolerance: each output is a chain of K float fused multiply-adds, so its error is at most
 * {@code gamma_K * sum_k |a_ik||b_kj|} with {@code gamma_K = K u / (1 - K u)}, u = 2^-24
 * (Higham, Accuracy and Stability, 3.1). For K up to a few thousand, {@code 1.01 K u} bounds
 * gamma_K; the double oracle's own error (K 2^-53 of the same sum) is far below the slack. A
 * half-precision output adds one rounding, at most its unit roundoff times |c|.
 */
class GemmTest {
    private static final double F32_EPS = 0x1p-24;
    private static final double F64_EPS = 0x1p-53;

    /** How an operand's matrix dims are laid out in memory. */
    enum Layout {
        PLAIN,
        /** Stored as [..., cols, rows] and viewed through transpose(-1, -2). */
        TRANSPOSED,
        /** Every other row of a taller matrix (row stride doubled). */
        EVERY_OTHER_ROW,
        /** Every other column from column 1 of a wider matrix (column stride 2, offset 1). */
        EVERY_OTHER_COLUMN
    }

    @Property(tries = 250)
    void f32MatchesDoubleOracle(@ForAll("sizes") int m, @ForAll("sizes") int n, @ForAll("sizes") int k,
                                @ForAll @IntRange(min = 0, max = 2) int batchRank,
                                @ForAll Layout aLayout, @ForAll Layout bLayout, @ForAll long seed) {
        Random random = new Random(seed);
        long[] batch = new long[batchRank];
        for (int d = 0; d < batchRank; d++) {
            batch[d] = 1 + random.nextInt(3);
        }
        Tensor a = operand(random, DType.F32, batch, m, k, aLayout);
        Tensor b = operand(random, DType.F32, batch, k, n, bLayout);
        assertMatchesOracle(a, b, DType.F32, F32_EPS, 0);
    }

    /** 0 to 150, uniform (jqwik's default leans to small values), with 0, 1 and 150 mixed in as edge cases. */
    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.integers().between(0, 150).withDistribution(RandomDistribution.uniform());
    }

    @Property(tries = 60)
    void halfAndDoublePrecisionMatchOracle(@ForAll @IntRange(min = 0, max = 80) int m,
                                           @ForAll @IntRange(min = 0, max = 80) int n,
                                           @ForAll @IntRange(min = 0, max = 80) int k,
                                           @ForAll Layout aLayout, @ForAll Layout bLayout, @ForAll long seed) {
        Random random = new Random(seed);
        long[] batch = {2};
        // BF16 and F16 accumulate in float and round once at the end (unit roundoff 2^-8, 2^-11).
        Tensor a = operand(random, DType.BF16, batch, m, k, aLayout);
        Tensor b = operand(random, DType.BF16, batch, k, n, bLayout);
        assertMatchesOracle(a, b, DType.BF16, F32_EPS, 0x1p-8);
        // |c| <= k stays far from F16 overflow; results below its normal range lose absolute 2^-25 at most.
        a = operand(random, DType.F16, batch, m, k, aLayout);
        b = operand(random, DType.F16, batch, k, n, bLayout);
        assertMatchesOracle(a, b, DType.F16, F32_EPS, 0x1p-11);
        a = operand(random, DType.F64, batch, m, k, aLayout);
        b = operand(random, DType.F64, batch, k, n, bLayout);
        assertMatchesOracle(a, b, DType.F64, F64_EPS, 0);
    }

    /**
     * Sizes past every cache block (KC = 256, MC = 120, NC = 512 columns), so k blocks accumulate;
     * a long k (nine k blocks); an MoE expert shape; many small products whose
     * split between threads cuts through a batch.
     */
    @Test
    void largerShapesMatchOracle() {
        Random random = new Random(11);
        Tensor a = operand(random, DType.F32, new long[0], 130, 600, Layout.PLAIN);
        Tensor b = operand(random, DType.F32, new long[0], 600, 560, Layout.TRANSPOSED);
        assertMatchesOracle(a, b, DType.F32, F32_EPS, 0);
        Tensor deep = operand(random, DType.F32, new long[0], 20, 2300, Layout.TRANSPOSED);
        Tensor tall = operand(random, DType.F32, new long[0], 2300, 40, Layout.PLAIN);
        assertMatchesOracle(deep, tall, DType.F32, F32_EPS, 0);
        Tensor few = operand(random, DType.F32, new long[] {3}, 16, 512, Layout.EVERY_OTHER_ROW);
        Tensor wide = operand(random, DType.F32, new long[] {3}, 512, 1408, Layout.PLAIN);
        assertMatchesOracle(few, wide, DType.F32, F32_EPS, 0);
        Tensor stack = operand(random, DType.F32, new long[] {7, 9}, 21, 33, Layout.TRANSPOSED);
        Tensor shared = operand(random, DType.F32, new long[] {7, 9}, 33, 650, Layout.EVERY_OTHER_COLUMN);
        assertMatchesOracle(stack, shared, DType.F32, F32_EPS, 0);
    }

    /**
     * The thread count cannot change inside one JVM, so this checks what makes results independent
     * of it: repeated runs agree bit for bit, and computing rows or columns separately (which
     * changes how the work is split and blocked) gives the same bits as computing them together.
     */
    @Test
    void resultDoesNotDependOnHowTheWorkIsSplit() {
        Random random = new Random(5);
        int m = 301;
        int k = 517;
        int n = 263;
        Tensor a = operand(random, DType.F32, new long[0], m, k, Layout.TRANSPOSED);
        Tensor b = operand(random, DType.F32, new long[0], k, n, Layout.PLAIN);
        float[] whole = multiply(a, b, DType.F32).toFloatArray();
        assertArrayEquals(whole, multiply(a, b, DType.F32).toFloatArray());

        int rowCut = 97; // not a multiple of the 6-row tile
        float[] top = multiply(a.slice(0, 0, rowCut), b, DType.F32).toFloatArray();
        float[] bottom = multiply(a.slice(0, rowCut, m), b, DType.F32).toFloatArray();
        float[] stacked = Arrays.copyOf(top, m * n);
        System.arraycopy(bottom, 0, stacked, rowCut * n, bottom.length);
        assertArrayEquals(whole, stacked);

        int colCut = 100; // not a multiple of the vector width
        float[] left = multiply(a, b.slice(1, 0, colCut), DType.F32).toFloatArray();
        float[] right = multiply(a, b.slice(1, colCut, n), DType.F32).toFloatArray();
        float[] joined = new float[m * n];
        for (int i = 0; i < m; i++) {
            System.arraycopy(left, i * colCut, joined, i * n, colCut);
            System.arraycopy(right, i * (n - colCut), joined, i * n + colCut, n - colCut);
        }
        assertArrayEquals(whole, joined);
    }

    @Test
    void refusesMismatchedShapesAndIntegerTypes() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(4, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.matmul(a, b, Tensor.empty(DType.F32, Device.cpu(), 2, 5)));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("[2, 3]"), e.getMessage());
        Tensor ints = Tensor.zeros(DType.I32, 3, 2);
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.matmul(ints, ints.t(), Tensor.empty(DType.I32, Device.cpu(), 3, 3)));
        assertTrue(e.getMessage().contains("I32"), e.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    private static Tensor multiply(Tensor a, Tensor b, DType type) {
        long[] shape = a.shape().clone();
        shape[shape.length - 1] = b.shape()[b.rank() - 1];
        Tensor out = Tensor.empty(type, Device.cpu(), shape);
        Gemm.matmul(a, b, out);
        return out;
    }

    /**
     * A view of shape {@code batch + [rows, cols]} with values uniform in [-1, 1), laid out as
     * {@code layout}; each batch dim is, at random, stored once and broadcast by expand.
     */
    private static Tensor operand(Random random, DType type, long[] batch, long rows, long cols, Layout layout) {
        int b = batch.length;
        long[] stored = Arrays.copyOf(batch, b + 2);
        for (int d = 0; d < b; d++) {
            if (random.nextInt(3) == 0) {
                stored[d] = 1;
            }
        }
        stored[b] = layout == Layout.TRANSPOSED ? cols : layout == Layout.EVERY_OTHER_ROW ? 2 * rows : rows;
        stored[b + 1] = layout == Layout.TRANSPOSED ? rows : layout == Layout.EVERY_OTHER_COLUMN ? 2 * cols + 1 : cols;
        float[] data = new float[Math.toIntExact(Arrays.stream(stored).reduce(1, Math::multiplyExact))];
        for (int i = 0; i < data.length; i++) {
            data[i] = 2 * random.nextFloat() - 1;
        }
        Tensor storedTensor = Tensor.of(data, stored).to(type);
        Tensor view = switch (layout) {
            case PLAIN -> storedTensor;
            case TRANSPOSED -> storedTensor.transpose(-1, -2);
            case EVERY_OTHER_ROW -> storedTensor.slice(-2, 0, 2 * rows, 2);
            case EVERY_OTHER_COLUMN -> storedTensor.slice(-1, 1, 2 * cols + 1, 2);
        };
        long[] shape = Arrays.copyOf(batch, b + 2);
        shape[b] = rows;
        shape[b + 1] = cols;
        return view.expand(shape);
    }

    /**
     * The elements in row-major order. An empty view can carry an offset past the end of its
     * (empty) storage, which {@code toDoubleArray} does not accept yet; it has no values anyway.
     */
    private static double[] values(Tensor t) {
        return t.numel() == 0 ? new double[0] : t.toDoubleArray();
    }

    /**
     * Checks {@code |c - ref| <= 1.01 K eps sum_k |a_ik||b_kj| + outputUnit |c|} for every element,
     * ref and the sum computed by a triple loop in double over the logical elements.
     */
    private static void assertMatchesOracle(Tensor a, Tensor b, DType type, double eps, double outputUnit) {
        int rank = a.rank();
        int m = (int) a.shape()[rank - 2];
        int k = (int) a.shape()[rank - 1];
        int n = (int) b.shape()[rank - 1];
        double[] c = multiply(a, b, type).toDoubleArray();
        double[] av = values(a);
        double[] bv = values(b);
        int batches = m * n == 0 ? 0 : c.length / (m * n);
        for (int t = 0; t < batches; t++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double ref = 0;
                    double magnitude = 0;
                    for (int p = 0; p < k; p++) {
                        double product = av[(t * m + i) * k + p] * bv[(t * k + p) * n + j];
                        ref += product;
                        magnitude += Math.abs(product);
                    }
                    double got = c[(t * m + i) * n + j];
                    double bound = 1.01 * k * eps * magnitude + outputUnit * Math.abs(got) + (type == DType.F16 ? 0x1p-25 : 0);
                    if (!(Math.abs(got - ref) <= bound)) {
                        throw new AssertionError(type + " a " + Arrays.toString(a.shape()) + " b " + Arrays.toString(b.shape())
                                + ": c[" + t + "][" + i + "][" + j + "] = " + got + ", expected " + ref + " within " + bound);
                    }
                }
            }
        }
    }
}
