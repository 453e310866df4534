package dev.tessera.tests.tensor;

import static dev.tessera.tests.tensor.Messages.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The static factories and the way back to Java arrays. */
class FactoryTest {
    private static void assertAll(double expected, Tensor t) {
        for (double v : t.toDoubleArray()) {
            assertEquals(expected, v, () -> t.dtype() + " " + t);
        }
    }

    private static byte[] bytes(Tensor t) {
        MemorySegment data = t.storage().segment().asSlice(t.offset() * t.dtype().byteSize(),
                t.numel() * t.dtype().byteSize());
        return data.toArray(ValueLayout.JAVA_BYTE);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void zerosOnesAndFullOfEveryDtype(DType type) {
        Tensor z = Tensor.zeros(type, 2, 3);
        assertEquals(type, z.dtype());
        assertArrayEquals(new long[] {2, 3}, z.shape());
        assertEquals(Device.cpu(), z.device());
        assertArrayEquals(new byte[6 * type.byteSize()], bytes(z), "zeros are all-zero bytes");
        assertAll(1, Tensor.ones(type, 4, 1));
        boolean floating = type.isFloating();
        assertAll(type == DType.BOOL ? 1 : floating ? 2.5 : 2, Tensor.full(2.5, type, 3, 2));
        assertAll(type == DType.BOOL ? 1 : floating ? -2.5 : -2, Tensor.full(-2.5, type, 7));
        assertAll(type == DType.BOOL ? 1 : floating ? -2.5 : -2, Tensor.scalar(-2.5, type));
        assertEquals(0, Tensor.full(3, type, 4, 0).numel());
    }

    @Test
    void fullKeepsNegativeZeroAndNaN() {
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Tensor.full(-0.0, 3).toFloatArray()[2]));
        assertEquals(Double.doubleToRawLongBits(-0.0),
                Double.doubleToRawLongBits(Tensor.full(-0.0, DType.F64, 2).toDoubleArray()[1]));
        assertEquals((short) 0x8000, Tensor.full(-0.0, DType.BF16, 1).storage().segment().get(ValueLayout.JAVA_SHORT, 0));
        assertTrue(Float.isNaN(Tensor.full(Double.NaN, 5).toFloatArray()[4]));
        assertTrue(Double.isNaN(Tensor.full(Double.NaN, DType.F16, 2).toDoubleArray()[1]));
        assertAll(1, Tensor.full(Double.NaN, DType.BOOL, 2));
        assertAll(Double.NEGATIVE_INFINITY, Tensor.full(Double.NEGATIVE_INFINITY, DType.BF16, 3));
    }

    @Test
    void defaultsAreF32() {
        assertEquals(DType.F32, Tensor.zeros(2).dtype());
        assertEquals(DType.F32, Tensor.ones(2).dtype());
        assertEquals(DType.F32, Tensor.full(1, 2).dtype());
        assertEquals(DType.F32, Tensor.scalar(1).dtype());
        assertEquals(0, Tensor.scalar(1).rank());
    }

    @Test
    void impossibleShapesAreRefused() {
        assertRefused(() -> Tensor.zeros(2, -1), "[2, -1]");
        assertRefused(() -> Tensor.empty(DType.I32, Device.cpu(), -3), "empty", "[-3]");
        // 2^64 elements overflow the count; 2^62 F32 elements overflow the byte size to exactly 0.
        assertRefused(() -> Tensor.zeros(1L << 32, 1L << 32), "[4294967296, 4294967296]", "elements");
        assertRefused(() -> Tensor.zeros(1L << 31, 1L << 31), "[2147483648, 2147483648]", "elements");
        assertRefused(() -> Tensor.empty(DType.F64, Device.cpu(), 1L << 61), "empty", "elements");
        assertEquals(0, Tensor.zeros(1L << 62, 1L << 62, 0).numel(), "a size 0 anywhere means no elements");
    }

    @Test
    void arangeInBothForms() {
        Tensor ints = Tensor.arange(5);
        assertEquals(DType.I64, ints.dtype());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4}, ints.toLongArray());
        assertArrayEquals(new long[] {0}, Tensor.arange(0).shape());
        assertArrayEquals(new long[] {0}, Tensor.arange(-3).shape());

        Tensor floats = Tensor.arange(1, 2, 0.25);
        assertEquals(DType.F32, floats.dtype());
        assertArrayEquals(new float[] {1, 1.25f, 1.5f, 1.75f}, floats.toFloatArray());
        assertArrayEquals(new float[] {5, 3.5f, 2, 0.5f}, Tensor.arange(5, 0, -1.5).toFloatArray());
        assertArrayEquals(new float[] {0, -1, -2}, Tensor.arange(0, -2.5, -1).toFloatArray());
        assertEquals(0, Tensor.arange(3, 3, 1).numel());
        assertEquals(0, Tensor.arange(3, 0, 1).numel(), "a step away from the end gives nothing");
        assertEquals(0, Tensor.arange(0, 3, -1).numel());
        // (end - start) / step is exactly 10 here: 1.0 must not sneak in.
        assertEquals(10, Tensor.arange(0, 1, 0.1).numel());
        assertRefused(() -> Tensor.arange(0, 1, 0), "arange", "step=0.0");
        assertRefused(() -> Tensor.arange(0, Double.NaN, 1), "arange", "NaN");
        assertRefused(() -> Tensor.arange(0, Double.POSITIVE_INFINITY, 1), "arange", "Infinity");
    }

    @Test
    void linspaceHitsBothEndpointsExactly() {
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1}, Tensor.linspace(0, 1, 5).toFloatArray());
        float[] odd = Tensor.linspace(0.1, 0.7, 7).toFloatArray();
        assertEquals(0.1f, odd[0]);
        assertEquals(0.7f, odd[6]);
        assertEquals(0.4f, odd[3], 1e-7f);
        assertArrayEquals(new float[] {3, 2, 1}, Tensor.linspace(3, 1, 3).toFloatArray());
        assertArrayEquals(new float[] {-1, 1}, Tensor.linspace(-1, 1, 2).toFloatArray());
        assertEquals(DType.F32, Tensor.linspace(0, 1, 2).dtype());
        assertArrayEquals(new long[] {0}, Tensor.linspace(0, 1, 0).shape());
        // One step gives the start, as torch.linspace(2, 9, 1) and numpy.linspace(2, 9, 1) do.
        assertArrayEquals(new float[] {2}, Tensor.linspace(2, 9, 1).toFloatArray());
        assertRefused(() -> Tensor.linspace(0, 1, -1), "linspace", "-1");
    }

    @Test
    void eyeSquareAndRectangular() {
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, Tensor.eye(3).toFloatArray());
        Tensor wide = Tensor.eye(2, 4);
        assertArrayEquals(new long[] {2, 4}, wide.shape());
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1, 0, 0}, wide.toFloatArray());
        assertArrayEquals(new float[] {1, 0, 0, 1, 0, 0}, Tensor.eye(3, 2).toFloatArray());
        assertArrayEquals(new long[] {0, 0}, Tensor.eye(0).shape());
        assertArrayEquals(new long[] {0, 3}, Tensor.eye(0, 3).shape());
        assertEquals(DType.F32, Tensor.eye(2).dtype());
    }

    @Test
    void ofEveryArrayType() {
        Tensor f = Tensor.of(new float[] {1.5f, -2, 3, 4, 5, 6}, 2, 3);
        assertEquals(DType.F32, f.dtype());
        assertArrayEquals(new long[] {2, 3}, f.shape());
        assertArrayEquals(new float[] {1.5f, -2, 3, 4, 5, 6}, f.toFloatArray());
        Tensor d = Tensor.of(new double[] {0.1, 1e300});
        assertEquals(DType.F64, d.dtype());
        assertArrayEquals(new long[] {2}, d.shape(), "no shape means 1-D");
        assertArrayEquals(new double[] {0.1, 1e300}, d.toDoubleArray());
        Tensor i = Tensor.of(new int[] {Integer.MIN_VALUE, 7, Integer.MAX_VALUE}, 3, 1);
        assertEquals(DType.I32, i.dtype());
        assertArrayEquals(new int[] {Integer.MIN_VALUE, 7, Integer.MAX_VALUE}, i.toIntArray());
        Tensor l = Tensor.of(new long[] {Long.MIN_VALUE, (1L << 53) + 1, Long.MAX_VALUE}, 1, 3, 1);
        assertEquals(DType.I64, l.dtype());
        assertArrayEquals(new long[] {Long.MIN_VALUE, (1L << 53) + 1, Long.MAX_VALUE}, l.toLongArray());
        Tensor b = Tensor.of(new boolean[] {true, false, true, true}, 2, 2);
        assertEquals(DType.BOOL, b.dtype());
        assertArrayEquals(new int[] {1, 0, 1, 1}, b.toIntArray());
        assertArrayEquals(new long[] {}, Tensor.of(new float[] {4}, new long[0]).view().shape());
        assertArrayEquals(new long[] {0}, Tensor.of(new int[0]).shape());
        assertArrayEquals(new long[] {2, 0}, Tensor.of(new long[0], 2, 0).shape());
    }

    @Test
    void ofRefusesAWrongElementCount() {
        assertRefused(() -> Tensor.of(new float[5], 2, 3), "of", "5 values", "[2, 3]", "6 elements");
        assertRefused(() -> Tensor.of(new double[2], 3), "of", "2 values", "[3]");
        assertRefused(() -> Tensor.of(new int[4], 2, -2), "of", "[2, -2]");
        assertRefused(() -> Tensor.of(new boolean[1], 0), "of", "1 values", "[0]");
    }

    @Test
    void ofRows() {
        Tensor m = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        assertArrayEquals(new long[] {2, 3}, m.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, m.toFloatArray());
        assertArrayEquals(new long[] {0, 0}, Tensor.of(new float[0][]).shape());
        assertArrayEquals(new long[] {2, 0}, Tensor.of(new float[][] {{}, {}}).shape());
        assertRefused(() -> Tensor.of(new float[][] {{1, 2, 3}, {4, 5}}), "of", "row 1", "2 values", "row 0 has 3");
    }

    /** Each dtype read back through each array type: floats truncate toward zero into ints, BOOL is 0/1. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeToEveryArray(DType type) {
        double[] values = {-2.75, -1, 0, 0.5, 3};
        Tensor t = Tensor.of(values).to(type);
        double[] expected = switch (type) {
            case F32, F64, BF16, F16 -> values; // all exact in every float format
            case I32, I64 -> new double[] {-2, -1, 0, 0, 3};
            case BOOL -> new double[] {1, 1, 0, 1, 1};
        };
        assertArrayEquals(expected, t.toDoubleArray());
        float[] asFloats = new float[expected.length];
        int[] asInts = new int[expected.length];
        long[] asLongs = new long[expected.length];
        for (int i = 0; i < expected.length; i++) {
            asFloats[i] = (float) expected[i];
            asInts[i] = (int) expected[i];
            asLongs[i] = (long) expected[i];
        }
        assertArrayEquals(asFloats, t.toFloatArray());
        assertArrayEquals(asInts, t.toIntArray());
        assertArrayEquals(asLongs, t.toLongArray());
        // The same through a strided view: arrays come out in row-major order of the view.
        Tensor strided = Tensor.of(values).to(type).view(5, 1).expand(5, 2).t().select(0, 1);
        assertArrayEquals(asLongs, strided.toLongArray());
    }

    @Test
    void arraysRefuseTensorsTooBigForJava() {
        Tensor huge = Tensor.scalar(1).expand(1L << 31); // no memory of its own, 2^31 elements
        assertRefused(huge::toFloatArray, "toFloatArray", "2147483648 elements", "[2147483648]");
        assertRefused(huge::toLongArray, "toLongArray");
    }

    @Test
    void itemReadsTheOneElement() {
        assertEquals(2.5, Tensor.scalar(2.5).item());
        assertEquals(-4, Tensor.full(-4, DType.I32, 1, 1).item());
        assertEquals(1, Tensor.of(new boolean[] {true}).item());
        assertEquals(5, Tensor.arange(10).select(0, 5).item());
        assertRefused(() -> Tensor.zeros(2).item(), "item", "[2]");
        assertRefused(() -> Tensor.zeros(0).item(), "item", "[0]");
    }

    @Test
    void randintRefusesEmptyAndTooWideRanges() {
        Generator g = new Generator(3);
        assertRefused(() -> Tensor.randint(g, 5, 5, 2), "randint", "[5, 5)");
        assertRefused(() -> Tensor.randint(g, 5, 1, 2), "randint", "[5, 1)");
        assertRefused(() -> Tensor.randint(g, Long.MIN_VALUE, Long.MAX_VALUE, 2), "randint");
        Tensor t = Tensor.randint(g, -2, -1, 3, 2);
        assertEquals(DType.I64, t.dtype());
        assertArrayEquals(new long[] {-2, -2, -2, -2, -2, -2}, t.toLongArray());
    }
}
