package dev.tessera.tests.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.HalfFloats;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code to(dtype)} between every pair of dtypes. The float-to-half roundings are checked bit by
 * bit against {@link NarrowFloat}, which rounds from the IEEE definition.
 */
class CastTest {
    private static short[] halfBits(float[] values, DType type) {
        Tensor t = Tensor.of(values).to(type);
        assertEquals(type, t.dtype());
        return t.storage().segment().asSlice(0, 2L * values.length).toArray(ValueLayout.JAVA_SHORT_UNALIGNED);
    }

    private static Tensor fromHalfBits(short[] bits, DType type) {
        Tensor t = Tensor.empty(type, Device.cpu(), bits.length);
        MemorySegment.copy(bits, 0, t.storage().segment(), ValueLayout.JAVA_SHORT_UNALIGNED, 0, bits.length);
        return t;
    }

    /** Checks one float's BF16 and F16 encodings against the definition (and F16 against the JDK). */
    private static void assertRoundsLikeTheDefinition(float x, short bf16, short f16) {
        if (Float.isNaN(x)) {
            assertTrue(Double.isNaN(NarrowFloat.BF16.decode(bf16)), "NaN stays NaN in bf16");
            assertTrue(Double.isNaN(NarrowFloat.F16.decode(f16)), "NaN stays NaN in f16");
            return;
        }
        String what = x + " (0x" + Integer.toHexString(Float.floatToRawIntBits(x)) + ")";
        assertEquals(NarrowFloat.BF16.round(x), bf16, () -> "bf16 of " + what);
        assertEquals(NarrowFloat.F16.round(x), f16, () -> "f16 of " + what);
        assertEquals(Float.floatToFloat16(x), f16, () -> "f16 of " + what + " against the JDK");
    }

    @Property(tries = 500)
    void halfRoundingMatchesTheDefinition(@ForAll int bits) {
        float x = Float.intBitsToFloat(bits);
        float[] one = {x};
        assertRoundsLikeTheDefinition(x, halfBits(one, DType.BF16)[0], halfBits(one, DType.F16)[0]);
        if (!Float.isNaN(x)) {
            assertEquals(NarrowFloat.BF16.round(x), HalfFloats.floatToBf16(x));
        }
    }

    /** About 260 000 floats spread evenly over all 2^32 bit patterns, in one tensor. */
    @Test
    void halfRoundingMatchesTheDefinitionAcrossAllFloats() {
        int stride = 16411; // odd, so the low mantissa bits take every value
        float[] values = new float[(int) ((1L << 32) / stride) + 1];
        for (int i = 0; i < values.length; i++) {
            values[i] = Float.intBitsToFloat((int) (i * (long) stride));
        }
        short[] bf16 = halfBits(values, DType.BF16);
        short[] f16 = halfBits(values, DType.F16);
        for (int i = 0; i < values.length; i++) {
            assertRoundsLikeTheDefinition(values[i], bf16[i], f16[i]);
        }
    }

    @Test
    void halfRoundingEdgeCases() {
        float tie = 1 + 0x1p-8f; // halfway between bf16 1 and 1 + 2^-7
        float[] values = {
            tie, 1 + 3 * 0x1p-8f, Math.nextUp(tie), Math.nextDown(tie), // ties go to even, else nearest
            1 + 0x1p-11f, 1 + 3 * 0x1p-11f, // the same for f16
            Float.MAX_VALUE, 0x1.fep127f, Float.intBitsToFloat(0x7F7F8000), // bf16 overflow
            65504, 65519.99f, 65520, 1e6f, // f16 overflow: 65520 is the tie with infinity
            Float.MIN_VALUE, Float.intBitsToFloat(0x8000), Float.intBitsToFloat(0x18000), // float subnormals
            0x1p-24f, 0x1p-25f, 3 * 0x1p-25f, 0x1p-14f, Math.nextDown(0x1p-14f), // f16 subnormals
            -0.0f, 0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -1.0f / 3, Float.NaN,
            Float.intBitsToFloat(0x7F800001), Float.intBitsToFloat(0xFFC00000) // a signalling NaN, a negative NaN
        };
        short[] bf16 = halfBits(values, DType.BF16);
        short[] f16 = halfBits(values, DType.F16);
        for (int i = 0; i < values.length; i++) {
            assertRoundsLikeTheDefinition(values[i], bf16[i], f16[i]);
        }
        // A few spelled out, so a reader can check the reference too.
        assertEquals((short) 0x3F80, bf16[0], "1 + 2^-8 ties down to the even 1");
        assertEquals((short) 0x3F82, bf16[1], "1 + 3 * 2^-8 ties up to the even 1 + 2^-6");
        assertEquals((short) 0x3C00, f16[4]);
        assertEquals((short) 0x3C02, f16[5]);
        assertEquals((short) 0x7F80, bf16[6], "FLT_MAX overflows bf16 to infinity");
        assertEquals((short) 0x7BFF, f16[9], "65504 is the largest f16");
        assertEquals((short) 0x7BFF, f16[10]);
        assertEquals((short) 0x7C00, f16[11], "65520 ties to infinity");
        assertEquals((short) 0x0001, f16[16], "2^-24 is the smallest f16 subnormal");
        assertEquals((short) 0x0000, f16[17], "2^-25 ties down to 0");
        assertEquals((short) 0x0002, f16[18]);
        assertEquals((short) 0x8000, bf16[21], "-0.0 keeps its sign");
        assertEquals((short) 0x8000, f16[21]);
    }

    @Test
    void everyHalfPatternWidensExactly() {
        short[] all = new short[1 << 16];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        float[] fromBf16 = fromHalfBits(all, DType.BF16).toFloatArray();
        float[] fromF16 = fromHalfBits(all, DType.F16).toFloatArray();
        for (int i = 0; i < all.length; i++) {
            short bits = all[i];
            double bf = NarrowFloat.BF16.decode(bits);
            double f = NarrowFloat.F16.decode(bits);
            if (Double.isNaN(bf)) {
                assertTrue(Float.isNaN(fromBf16[i]));
            } else {
                assertEquals(bf, fromBf16[i], "bf16 0x" + Integer.toHexString(i));
                assertEquals(i << 16, Float.floatToRawIntBits(fromBf16[i]), "a bf16 is the top half of a float");
                assertEquals(i << 16, Float.floatToRawIntBits(HalfFloats.bf16ToFloat(bits)));
            }
            if (Double.isNaN(f)) {
                assertTrue(Float.isNaN(fromF16[i]));
            } else {
                assertEquals(f, fromF16[i], "f16 0x" + Integer.toHexString(i));
                assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(bits)), Float.floatToRawIntBits(fromF16[i]));
            }
        }
    }

    /** A value of {@code type} as a plain cast defines it: round to nearest even, truncate toward zero, non-zero is true. */
    private static double cast(double v, DType type) {
        return switch (type) {
            case F64 -> v;
            case F32 -> (float) v;
            case BF16 -> NarrowFloat.BF16.decode(NarrowFloat.BF16.round((float) v));
            case F16 -> NarrowFloat.F16.decode(NarrowFloat.F16.round((float) v));
            case I32, I64 -> (long) v; // the samples lie well inside both ranges
            case BOOL -> v != 0 ? 1 : 0;
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void castsBetweenEveryPairOfDtypes(String device) {
        double[] samples = {-2.75, -2.5, -1, -0.5, -0.0, 0, 0.3, 1, 1.5, 2.9, 100.7, 1e-3, -300.25, 4097.5, 65519.9, 1e-6};
        Tensor source = Tensor.of(samples).to(Device.of(device));
        for (DType from : DType.values()) {
            Tensor a = source.to(from);
            for (DType to : DType.values()) {
                Tensor b = a.to(to);
                assertEquals(to, b.dtype());
                assertArrayEquals(a.shape(), b.shape());
                if (to == from) {
                    assertSame(a, b, "to(own dtype) is the identity");
                }
                double[] expected = new double[samples.length];
                for (int i = 0; i < samples.length; i++) {
                    expected[i] = cast(cast(samples[i], from), to);
                }
                // assertArrayEquals on doubles compares bits, so -0.0 and 0.0 differ.
                assertArrayEquals(expected, b.to(Device.cpu()).toDoubleArray(), from + " -> " + to + " on " + device);
            }
        }
    }

    @Test
    void floatToIntTruncatesTowardZeroAndBoolMeansNonZero() {
        Tensor x = Tensor.of(new float[] {-2.9f, -0.5f, 0.5f, 2.9f, -0.0f, 1e-30f, Float.NaN, Float.NEGATIVE_INFINITY});
        assertArrayEquals(new int[] {-2, 0, 0, 2, 0, 0}, x.narrow(0, 0, 6).to(DType.I32).toIntArray());
        assertArrayEquals(new long[] {-2, 0, 0, 2, 0, 0}, x.narrow(0, 0, 6).to(DType.I64).toLongArray());
        assertArrayEquals(new int[] {1, 1, 1, 1, 0, 1, 1, 1}, x.to(DType.BOOL).toIntArray(), "NaN is true, as in C");
        assertArrayEquals(new int[] {1, 0, 1}, Tensor.of(new long[] {-5, 0, 1L << 40}).to(DType.BOOL).toIntArray());
        assertArrayEquals(new float[] {1, 0}, Tensor.of(new boolean[] {true, false}).to(DType.BF16).toFloatArray());
    }

    @Test
    void integersConvertExactlyOrToTheNearestFloat() {
        long big = (1L << 53) + 1; // the first integer a double cannot hold
        long[] values = {big, -big, Long.MAX_VALUE, Long.MIN_VALUE, (1L << 62) + 12345};
        Tensor x = Tensor.of(values);
        assertArrayEquals(values, x.copy().toLongArray());
        assertArrayEquals(values, x.to(DType.I64).toLongArray());
        Tensor strided = x.view(5, 1).expand(5, 3).t().contiguous();
        assertNotSame(x.storage(), strided.storage());
        assertArrayEquals(values, strided.select(0, 2).toLongArray(), "I64 survives strided copies");
        double[] asDoubles = x.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
            assertEquals((double) values[i], asDoubles[i], "I64 -> F64 rounds to nearest");
        }
        assertArrayEquals(new float[] {16777216f, 16777220f}, Tensor.of(new int[] {16777217, 16777219}).toFloatArray(),
                "I32 -> F32 rounds to nearest even");
        assertArrayEquals(new int[] {(int) big, 0}, Tensor.of(new long[] {big, 1L << 32}).to(DType.I32).toIntArray(),
                "I64 -> I32 keeps the low 32 bits, as C and PyTorch do");
    }
}
