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
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The reference backend's elementwise ops (fill, copy, unary, binary, comparisons, where, clamp), checked by hand. */
class ReferenceBackendTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void isFoundAsTheReferenceDevice() {
        assertEquals("reference", Device.reference().name());
        assertEquals("reference", BACKEND.name());
    }

    // ---------------------------------------------------------------- fill

    @Test
    void fillConvertsToTheOutputDtype() {
        Tensor f32 = out(DType.F32, 2, 3);
        BACKEND.fill(f32, 2.5);
        assertArrayEquals(new double[] {2.5, 2.5, 2.5, 2.5, 2.5, 2.5}, f32.toDoubleArray());

        Tensor bf16 = out(DType.BF16, 2);
        BACKEND.fill(bf16, 1.0 / 3); // bfloat16 keeps 8 significant bits: 0.333984375
        assertArrayEquals(new double[] {0.333984375, 0.333984375}, bf16.toDoubleArray());

        Tensor i64 = out(DType.I64, 3);
        BACKEND.fill(i64, -7.9); // truncates toward zero
        assertArrayEquals(new long[] {-7, -7, -7}, i64.toLongArray());
    }

    @Test
    void fillWritesOnlyTheViewItIsGiven() {
        Tensor base = out(DType.F32, 6);
        BACKEND.fill(base, 0);
        BACKEND.fill(base.slice(0, 0, 6, 2), 1);
        assertArrayEquals(new double[] {1, 0, 1, 0, 1, 0}, base.toDoubleArray());
    }

    @Test
    void fillHandlesScalarsAndEmptyTensors() {
        Tensor scalar = out(DType.F64);
        BACKEND.fill(scalar, 4);
        assertEquals(4.0, scalar.item());
        Tensor empty = out(DType.F32, 0, 3);
        BACKEND.fill(empty, 1);
        assertEquals(0, empty.toDoubleArray().length);
    }

    // ---------------------------------------------------------------- copy

    @Test
    void copyKeepsI64BeyondTwoToThe53Exact() {
        long[] values = {TWO_POW_53 + 1, Long.MAX_VALUE, Long.MIN_VALUE, -TWO_POW_53 - 3};
        Tensor onRef = i64(values);
        Tensor back = out(DType.I64, 4);
        BACKEND.copy(onRef, back);
        assertArrayEquals(values, back.toLongArray());
    }

    @Test
    void copyBetweenIntegerTypesWrapsLikeACast() {
        Tensor narrow = out(DType.I32, 2);
        BACKEND.copy(i64((1L << 32) + 5, -1), narrow);
        assertArrayEquals(new long[] {5, -1}, narrow.toLongArray());
        Tensor wide = out(DType.I64, 2);
        BACKEND.copy(on(Tensor.of(new int[] {Integer.MIN_VALUE, 7})), wide);
        assertArrayEquals(new long[] {Integer.MIN_VALUE, 7}, wide.toLongArray());
    }

    @Test
    void copyRoundsToHalfPrecisionToNearestEven() {
        Tensor bf16 = out(DType.BF16, 3);
        // 1 + 2^-8 ties between 1 and 1 + 2^-7 (even: 1); 1 + 3*2^-8 ties towards 1 + 2^-6.
        BACKEND.copy(f64(1.00390625, 1.01171875, -2), bf16);
        assertArrayEquals(new double[] {1.0, 1.015625, -2}, bf16.toDoubleArray());

        Tensor f16 = out(DType.F16, 3);
        // 65520 is halfway between 65504 (the largest float16) and 65536, and rounds to infinity.
        BACKEND.copy(f64(1.00048828125, 1.00146484375, 65520), f16);
        assertArrayEquals(new double[] {1.0, 1.001953125, INF}, f16.toDoubleArray());
    }

    @Test
    void copyFromFloatTruncatesToIntegersAndTestsNonZeroForBool() {
        Tensor ints = out(DType.I32, 4);
        BACKEND.copy(f64(-2.7, 2.7, NAN, 0.5), ints);
        assertArrayEquals(new long[] {-2, 2, 0, 0}, ints.toLongArray());
        Tensor bools = out(DType.BOOL, 4);
        BACKEND.copy(f64(0, -0.0, 0.5, NAN), bools);
        assertArrayEquals(new long[] {0, 0, 1, 1}, bools.toLongArray());
        Tensor floats = out(DType.F32, 2);
        BACKEND.copy(on(Tensor.of(new boolean[] {true, false})), floats);
        assertArrayEquals(new double[] {1, 0}, floats.toDoubleArray());
    }

    @Test
    void copyReadsTransposedSlicedAndExpandedViews() {
        Tensor m = f64(1, 2, 3, 4, 5, 6).view(2, 3);
        Tensor transposed = out(DType.F64, 3, 2);
        BACKEND.copy(m.t(), transposed);
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, transposed.toDoubleArray());

        Tensor everyOther = out(DType.F64, 2, 2);
        BACKEND.copy(m.slice(1, 0, 3, 2), everyOther);
        assertArrayEquals(new double[] {1, 3, 4, 6}, everyOther.toDoubleArray());

        Tensor expanded = out(DType.F32, 2, 3);
        BACKEND.copy(f64(7, 8, 9).expand(2, 3), expanded);
        assertArrayEquals(new double[] {7, 8, 9, 7, 8, 9}, expanded.toDoubleArray());
    }

    @Test
    void copyHandlesScalarsAndEmptyTensors() {
        Tensor scalar = out(DType.I64);
        BACKEND.copy(on(Tensor.scalar(-3, DType.I64)), scalar);
        assertEquals(-3, scalar.toLongArray()[0]);
        Tensor empty = out(DType.F64, 2, 0);
        BACKEND.copy(on(Tensor.zeros(DType.F32, 2, 0)), empty);
        assertEquals(0, empty.toDoubleArray().length);
    }

    // ---------------------------------------------------------------- unary

    private static double[] unary(Op op, double... x) {
        Tensor out = out(DType.F64, x.length);
        BACKEND.unary(op, f64(x), out);
        return out.toDoubleArray();
    }

    private static long[] unaryI64(Op op, long... x) {
        Tensor out = out(DType.I64, x.length);
        BACKEND.unary(op, i64(x), out);
        return out.toLongArray();
    }

    @Test
    void unaryElementaryFunctionsInDouble() {
        assertArrayEquals(new double[] {-1.5, 2, -0.0}, unary(Op.NEG, 1.5, -2, 0));
        assertArrayEquals(new double[] {2, 3, INF}, unary(Op.ABS, -2, 3, -INF));
        assertArrayEquals(new double[] {1, 2.718281828459045, 0}, unary(Op.EXP, 0, 1, -INF));
        assertArrayEquals(new double[] {0, -INF, NAN}, unary(Op.LOG, 1, 0, -1));
        assertArrayEquals(new double[] {2, NAN, INF}, unary(Op.SQRT, 4, -1, INF));
        assertArrayEquals(new double[] {0.5, INF, 0}, unary(Op.RSQRT, 4, 0, INF));
        assertArrayEquals(new double[] {0, 0.8414709848078965}, unary(Op.SIN, 0, 1));
        assertArrayEquals(new double[] {1, 0.5403023058681398}, unary(Op.COS, 0, 1));
        assertArrayEquals(new double[] {0.46211715726000974, 1, -1}, unary(Op.TANH, 0.5, INF, -INF));
        assertArrayEquals(new double[] {0.25, INF, -INF}, unary(Op.RECIPROCAL, 4, 0, -0.0));
        assertArrayEquals(new double[] {9, 0.25, INF}, unary(Op.SQUARE, -3, 0.5, -INF));
    }

    @Test
    void sigmoidIsStableFarOutOnBothSides() {
        double[] got = unary(Op.SIGMOID, 0, 2, -2, -30, 1000, -1000);
        double[] want = {0.5, 0.8807970779778824, 0.11920292202211756, 9.357622968839299e-14, 1, 0};
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], Math.abs(want[i]) * 1e-15, "sigmoid at index " + i);
        }
        assertArrayEquals(d(NAN), unary(Op.SIGMOID, NAN));
    }

    @Test
    void reluKeepsNanAndSiluIsXTimesSigmoid() {
        assertArrayEquals(new double[] {0, 0, 2, NAN, INF}, unary(Op.RELU, -1, 0, 2, NAN, INF));
        double[] silu = unary(Op.SILU, 1, -1, 0);
        assertEquals(0.7310585786300049, silu[0], 1e-16);
        assertEquals(-0.2689414213699951, silu[1], 1e-16);
        assertEquals(0, silu[2]);
    }

    @Test
    void geluTanhMatchesFortyDigitValues() {
        double[] x = {1, -1, 0.5, 3, -3};
        double[] want = {0.8411919906082767, -0.1588080093917233, 0.34571400982514394, 2.996362607918227,
            -0.003637392081773019};
        double[] got = unary(Op.GELU_TANH, x);
        for (int i = 0; i < x.length; i++) {
            assertEquals(want[i], got[i], Math.abs(want[i]) * 1e-14, "gelu_tanh(" + x[i] + ")");
        }
    }

    /**
     * gelu_erf(x) = x/2 * (1 + erf(x / sqrt 2)), so it checks the hand-written erf: expected values
     * computed with 40 digits (mpmath). Around the origin and for x > 0 the relative error must stay
     * within a few ulps; in the negative tail, where gelu is x/2 * erfc(|x| / sqrt 2), rounding x / sqrt 2
     * alone moves erfc by about x^2 * 1e-16 relative, so the budget grows with x^2 there.
     */
    @Test
    void geluErfMatchesFortyDigitValues() {
        double[][] cases = {
            {1, 0.8413447460685429}, {-1, -0.15865525393145705}, {0.5, 0.34573123063700656},
            {-0.5, -0.15426876936299344}, {2, 1.9544997361036416}, {-2, -0.04550026389635842},
            {3, 2.99595030590511}, {-3, -0.0040496940948902835}, {1e-10, 5.000000000398942e-11},
            {1.4142135623730951, 1.3029862263925718}, {5, 4.999998566742141}, {0.1, 0.0539827837277029},
            {-1.5, -0.1002108019032871}, {-4, -0.0001266849673324797}, {-6, -5.9195258702261885e-09},
            {-10, -7.619853024160526e-23}, {-20, -5.507248237212468e-88}, {-37, -2.1184613523340935e-298},
        };
        for (double[] c : cases) {
            double x = c[0];
            double got = unary(Op.GELU_ERF, x)[0];
            double budget = 4e-16 * Math.max(1, x * x);
            assertEquals(c[1], got, Math.abs(c[1]) * budget, "gelu_erf(" + x + ")");
        }
        assertArrayEquals(new double[] {0, INF, NAN}, unary(Op.GELU_ERF, 0, INF, NAN));
    }

    /**
     * A sharper check of erfc's tail: gelu_erf(x) = x/2 * erfc(-x * fl(1/sqrt 2)), and here the expected
     * values are erfc at that very double argument (40 digits), so nothing but erfc's own error and
     * one rounding remain. A few ulps; computing e^(-z^2) from a rounded z^2 alone would cost hundreds.
     */
    @Test
    void geluErfTailIsAccurateToAFewUlps() {
        double[][] cases = {
            {-2, -0.045500263896358396}, {-4, -0.00012668496733247953}, {-6, -5.919525870226162e-09},
            {-10, -7.619853024160498e-23}, {-20, -5.507248237212386e-88}, {-30, -1.472014178144407e-196},
            {-37, -2.118461352333907e-298}, {0.75, 0.5800294857173489}, {3, 2.99595030590511},
        };
        for (double[] c : cases) {
            double got = unary(Op.GELU_ERF, c[0])[0];
            assertEquals(c[1], got, 4 * Math.ulp(c[1]), "gelu_erf(" + c[0] + ")");
        }
    }

    @Test
    void integerUnaryOpsAreExactAndWrapLikeTwosComplement() {
        assertArrayEquals(new long[] {-(TWO_POW_53 + 1), Long.MIN_VALUE + 1}, unaryI64(Op.NEG, TWO_POW_53 + 1, Long.MAX_VALUE));
        assertArrayEquals(new long[] {TWO_POW_53 + 1, Long.MIN_VALUE}, unaryI64(Op.ABS, -(TWO_POW_53 + 1), Long.MIN_VALUE));
        assertArrayEquals(new long[] {9_000_000_006_000_000_001L}, unaryI64(Op.SQUARE, 3_000_000_001L));
        assertArrayEquals(new long[] {0, TWO_POW_53 + 1}, unaryI64(Op.RELU, -5, TWO_POW_53 + 1));

        Tensor i32 = out(DType.I32, 2);
        BACKEND.unary(Op.SQUARE, on(Tensor.of(new int[] {50_000, -3})), i32);
        assertArrayEquals(new long[] {2_500_000_000L - (1L << 32), 9}, i32.toLongArray());
        BACKEND.unary(Op.NEG, on(Tensor.of(new int[] {Integer.MIN_VALUE, 4})), i32);
        assertArrayEquals(new long[] {Integer.MIN_VALUE, -4}, i32.toLongArray());
    }

    @Test
    void unaryRoundsOnceToHalfPrecisionOutputs() {
        // e = 2.71828...; both bfloat16 (step 2^-6 there) and float16 (step 2^-9) round it to 2.71875.
        Tensor bf16 = out(DType.BF16, 1);
        BACKEND.unary(Op.EXP, on(Tensor.of(new double[] {1}).to(DType.BF16)), bf16);
        assertArrayEquals(new double[] {2.71875}, bf16.toDoubleArray());
        Tensor f16 = out(DType.F16, 1);
        BACKEND.unary(Op.EXP, on(Tensor.of(new double[] {1}).to(DType.F16)), f16);
        assertArrayEquals(new double[] {2.71875}, f16.toDoubleArray());
    }

    @Test
    void unaryReadsViewsAndHandlesScalarsAndEmptyTensors() {
        Tensor m = f64(1, -2, 3, -4, 5, -6).view(2, 3);
        Tensor out = out(DType.F64, 3, 2);
        BACKEND.unary(Op.ABS, m.t(), out);
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, out.toDoubleArray());

        Tensor scalar = out(DType.F64);
        BACKEND.unary(Op.SQUARE, on(Tensor.scalar(-3, DType.F64)), scalar);
        assertEquals(9.0, scalar.item());

        Tensor empty = out(DType.F32, 0);
        BACKEND.unary(Op.EXP, on(Tensor.zeros(0)), empty);
        assertEquals(0, empty.toDoubleArray().length);
    }

    // ---------------------------------------------------------------- binary

    private static double[] binary(Op op, double[] a, double[] b) {
        Tensor out = out(DType.F64, a.length);
        BACKEND.binary(op, f64(a), f64(b), out);
        return out.toDoubleArray();
    }

    private static long[] binaryI64(Op op, long[] a, long[] b) {
        Tensor out = out(DType.I64, a.length);
        BACKEND.binary(op, i64(a), i64(b), out);
        return out.toLongArray();
    }

    private static double[] d(double... v) {
        return v;
    }

    private static long[] l(long... v) {
        return v;
    }

    @Test
    void binaryArithmeticOnFloats() {
        assertArrayEquals(d(3, INF, NAN), binary(Op.ADD, d(1, INF, INF), d(2, 1, -INF)));
        assertArrayEquals(d(-1, 0.5), binary(Op.SUB, d(1, 1), d(2, 0.5)));
        assertArrayEquals(d(6, NAN), binary(Op.MUL, d(2, 0), d(3, INF)));
        assertArrayEquals(d(0.5, INF, -INF, NAN), binary(Op.DIV, d(1, 1, 1, 0), d(2, 0, -0.0, 0)));
    }

    @Test
    void powFollowsCWhereJavaDiffers() {
        assertArrayEquals(d(1024, 0.5, INF, NAN, 1, 1, 1, 1),
                binary(Op.POW, d(2, 4, 0, -8, 1, -1, -1, NAN), d(10, -0.5, -1, 1.0 / 3, NAN, INF, -INF, 0)));
    }

    @Test
    void maximumAndMinimumPropagateNan() {
        assertArrayEquals(d(2, NAN, NAN, 0), binary(Op.MAXIMUM, d(1, NAN, 1, -INF), d(2, 1, NAN, 0)));
        assertArrayEquals(d(1, NAN, NAN, -INF), binary(Op.MINIMUM, d(1, NAN, 1, -INF), d(2, 1, NAN, 0)));
    }

    @Test
    void binaryIntegersAreExactBeyondTwoToThe53() {
        long big = TWO_POW_53;
        assertArrayEquals(l(big + 2, Long.MIN_VALUE), binaryI64(Op.ADD, l(big + 1, Long.MAX_VALUE), l(1, 1)));
        assertArrayEquals(l(1), binaryI64(Op.SUB, l(big + 1), l(big)));
        assertArrayEquals(l(9_000_000_003L * 3), binaryI64(Op.MUL, l(9_000_000_003L), l(3)));
        assertArrayEquals(l(big + 1, big + 1), binaryI64(Op.MAXIMUM, l(big + 1, big), l(big, big + 1)));
        assertArrayEquals(l(big, big), binaryI64(Op.MINIMUM, l(big + 1, big), l(big, big + 1)));
    }

    @Test
    void integerDivisionTruncatesAndRefusesZero() {
        assertArrayEquals(l(-3, -3, 3, (TWO_POW_53 + 2) / 2), binaryI64(Op.DIV, l(-7, 7, -7, TWO_POW_53 + 2), l(2, -2, -2, 2)));
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> binaryI64(Op.DIV, l(1), l(0)));
        assertEquals("div: integer division by zero", e.getMessage());
    }

    @Test
    void integerPowIsExactAndNegativeExponentsFollowPyTorch() {
        assertArrayEquals(l(81, 1L << 62, 1, 0, 1, -1, 1, 0, 0),
                binaryI64(Op.POW, l(3, 2, 5, 2, 1, -1, -1, 0, 7), l(4, 62, 0, -1, -5, -3, -4, -2, -1)));
        assertArrayEquals(l(3L * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3
                * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3), binaryI64(Op.POW, l(3), l(40)));
    }

    @Test
    void int32ArithmeticWraps() {
        Tensor out = out(DType.I32, 2);
        BACKEND.binary(Op.ADD, on(Tensor.of(new int[] {Integer.MAX_VALUE, 5})), on(Tensor.of(new int[] {1, -7})), out);
        assertArrayEquals(new long[] {Integer.MIN_VALUE, -2}, out.toLongArray());
    }

    @Test
    void binaryReadsBroadcastViews() {
        Tensor a = f64(1, 2, 3).expand(2, 3);
        Tensor b = f64(10, 20).view(2, 1).expand(2, 3);
        Tensor out = out(DType.F64, 2, 3);
        BACKEND.binary(Op.ADD, a, b, out);
        assertArrayEquals(d(11, 12, 13, 21, 22, 23), out.toDoubleArray());
    }

    @Test
    void binaryRoundsOnceToBf16() {
        // 1 + 3*2^-8, exact in double, ties to 1 + 2^-6 in bfloat16.
        Tensor out = out(DType.BF16, 1);
        BACKEND.binary(Op.ADD, on(Tensor.of(d(1)).to(DType.BF16)), on(Tensor.of(d(0.01171875)).to(DType.BF16)), out);
        assertArrayEquals(d(1.015625), out.toDoubleArray());
    }

    @Test
    void binaryHandlesScalarsAndEmptyTensors() {
        Tensor scalar = out(DType.F64);
        BACKEND.binary(Op.MUL, on(Tensor.scalar(3, DType.F64)), on(Tensor.scalar(-2, DType.F64)), scalar);
        assertEquals(-6.0, scalar.item());
        Tensor empty = out(DType.F32, 2, 0);
        BACKEND.binary(Op.ADD, on(Tensor.zeros(2, 0)), on(Tensor.zeros(2, 0)), empty);
        assertEquals(0, empty.toDoubleArray().length);
    }

    // ---------------------------------------------------------------- comparisons

    private static long[] compare(Op op, double[] a, double[] b) {
        Tensor out = out(DType.BOOL, a.length);
        BACKEND.binary(op, f64(a), f64(b), out);
        return out.toLongArray();
    }

    @Test
    void comparisonsAreFalseWithNanExceptNotEqual() {
        double[] a = {1, 1, 2, NAN, NAN, -0.0};
        double[] b = {1, 2, 1, 1, NAN, 0};
        assertArrayEquals(l(1, 0, 0, 0, 0, 1), compare(Op.EQ, a, b));
        assertArrayEquals(l(0, 1, 1, 1, 1, 0), compare(Op.NE, a, b));
        assertArrayEquals(l(0, 1, 0, 0, 0, 0), compare(Op.LT, a, b));
        assertArrayEquals(l(1, 1, 0, 0, 0, 1), compare(Op.LE, a, b));
        assertArrayEquals(l(0, 0, 1, 0, 0, 0), compare(Op.GT, a, b));
        assertArrayEquals(l(1, 0, 1, 0, 0, 1), compare(Op.GE, a, b));
    }

    @Test
    void integerComparisonsSeeBeyondTwoToThe53() {
        Tensor out = out(DType.BOOL, 2);
        BACKEND.binary(Op.LT, i64(TWO_POW_53, TWO_POW_53 + 1), i64(TWO_POW_53 + 1, TWO_POW_53 + 1), out);
        assertArrayEquals(l(1, 0), out.toLongArray());
        BACKEND.binary(Op.EQ, i64(TWO_POW_53, TWO_POW_53 + 1), i64(TWO_POW_53 + 1, TWO_POW_53 + 1), out);
        assertArrayEquals(l(0, 1), out.toLongArray());
    }

    // ---------------------------------------------------------------- where, clamp

    @Test
    void wherePicksPerElementFromViews() {
        Tensor cond = on(Tensor.of(new boolean[] {true, false, true, false})).view(2, 2);
        Tensor a = f64(1, 2).view(2, 1).expand(2, 2);
        Tensor b = f64(10, 20, 30, 40).view(2, 2).t();
        Tensor out = out(DType.F16, 2, 2);
        BACKEND.where(cond, a, b, out);
        assertArrayEquals(d(1, 30, 2, 40), out.toDoubleArray());
    }

    @Test
    void whereKeepsI64Exact() {
        Tensor out = out(DType.I64, 2);
        BACKEND.where(on(Tensor.of(new boolean[] {true, false})), i64(TWO_POW_53 + 1, 0), i64(0, -TWO_POW_53 - 1), out);
        assertArrayEquals(l(TWO_POW_53 + 1, -TWO_POW_53 - 1), out.toLongArray());
    }

    @Test
    void clampKeepsNanAndAcceptsInfiniteBounds() {
        Tensor x = f64(-INF, -2, 0.5, 3, NAN);
        Tensor out = out(DType.F64, 5);
        BACKEND.clamp(x, -1, 1, out);
        assertArrayEquals(d(-1, -1, 0.5, 1, NAN), out.toDoubleArray());
        BACKEND.clamp(x, -INF, 0, out);
        assertArrayEquals(d(-INF, -2, 0, 0, NAN), out.toDoubleArray());
        BACKEND.clamp(x, 2, 1, out); // lo above hi: min(max(x, 2), 1) = 1, as in PyTorch
        assertArrayEquals(d(1, 1, 1, 1, NAN), out.toDoubleArray());
    }

    @Test
    void clampOnIntegersRoundsBoundsInwardAndStaysExact() {
        Tensor out = out(DType.I64, 4);
        BACKEND.clamp(i64(-5, -2, TWO_POW_53 + 1, TWO_POW_53 + 3), -2.5, TWO_POW_53 + 2, out);
        assertArrayEquals(l(-2, -2, TWO_POW_53 + 1, TWO_POW_53 + 2), out.toLongArray());
        BACKEND.clamp(i64(0, 1, 2, 3), 0.5, 2.5, out);
        assertArrayEquals(l(1, 1, 2, 2), out.toLongArray());
        BACKEND.clamp(i64(Long.MIN_VALUE, 0, 1, Long.MAX_VALUE), -INF, INF, out);
        assertArrayEquals(l(Long.MIN_VALUE, 0, 1, Long.MAX_VALUE), out.toLongArray());
    }
}
