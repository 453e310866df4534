package dev.tessera.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Casts that must round-trip exactly, and F32 to BF16 rounding checked bit by bit, on the cpu and the reference. */
class CastRoundTripTest {
    private static final List<Device> DEVICES = List.of(Device.cpu(), Device.reference());

    /** Widening and narrowing back is exact: F32 -> F64 -> F32 and I32 -> I64 -> I32 over all bit patterns. */
    @Property(tries = 50)
    void widenThenNarrowIsExact(@ForAll long seed) {
        Random r = new Random(seed);
        float[] floats = new float[257];
        int[] ints = new int[257];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = Float.intBitsToFloat(r.nextInt());
            ints[i] = r.nextInt();
        }
        for (Device device : DEVICES) {
            Tensor f = Tensor.of(floats).to(device);
            assertSameFloats(device + " F32 -> F64 -> F32", Elements.doubles(f), Elements.doubles(f.to(DType.F64).to(DType.F32)));
            Tensor i = Tensor.of(ints).to(device);
            assertArrayEquals(Elements.longs(i), Elements.longs(i.to(DType.I64).to(DType.I32)), device + " I32 -> I64 -> I32");
        }
    }

    /** Every BF16 and F16 value survives a trip through F32. */
    @Property(tries = 50)
    void halfFloatsSurviveATripThroughF32(@ForAll long seed) {
        Random r = new Random(seed);
        float[] bf16 = new float[257];
        float[] f16 = new float[257];
        for (int i = 0; i < bf16.length; i++) {
            bf16[i] = Float.intBitsToFloat(r.nextInt() << 16);
            f16[i] = Float.float16ToFloat((short) r.nextInt());
        }
        for (Device device : DEVICES) {
            Tensor b = Tensor.of(bf16).to(device).to(DType.BF16);
            assertSameFloats(device + " BF16 values", Elements.doubles(Tensor.of(bf16)), Elements.doubles(b));
            assertSameFloats(device + " BF16 -> F32 -> BF16", Elements.doubles(b), Elements.doubles(b.to(DType.F32).to(DType.BF16)));
            Tensor h = Tensor.of(f16).to(device).to(DType.F16);
            assertSameFloats(device + " F16 values", Elements.doubles(Tensor.of(f16)), Elements.doubles(h));
            assertSameFloats(device + " F16 -> F32 -> F16", Elements.doubles(h), Elements.doubles(h.to(DType.F32).to(DType.F16)));
        }
    }

    /** F32 -> BF16 rounds to nearest, ties to even, computed here bit by bit; ties and near-ties are drawn on purpose. */
    @Property(tries = 100)
    void f32ToBf16RoundsToNearestEven(@ForAll long seed) {
        Random r = new Random(seed);
        int[] lowHalves = {0x8000, 0x7FFF, 0x8001, 0x0000, 0xFFFF};
        float[] values = new float[257];
        for (int i = 0; i < values.length; i++) {
            int bits = r.nextInt();
            values[i] = Float.intBitsToFloat(r.nextBoolean() ? bits : (bits & 0xFFFF0000) | lowHalves[r.nextInt(lowHalves.length)]);
        }
        for (Device device : DEVICES) {
            double[] got = Elements.doubles(Tensor.of(values).to(device).to(DType.BF16));
            for (int i = 0; i < values.length; i++) {
                int raw = Float.floatToRawIntBits(values[i]);
                String what = device + ": F32 " + Integer.toHexString(raw) + " (" + values[i] + ") to BF16";
                if (Float.isNaN(values[i])) {
                    assertTrue(Double.isNaN(got[i]), what + " gave " + got[i]);
                } else {
                    int gotBits = Float.floatToRawIntBits((float) got[i]) >>> 16;
                    assertEquals(Integer.toHexString(nearestEvenBf16(raw)), Integer.toHexString(gotBits), what);
                }
            }
        }
    }

    /** The top 16 bits, plus one when the dropped half is above 0x8000, or exactly 0x8000 with an odd top (carry may reach infinity). */
    private static int nearestEvenBf16(int bits) {
        int top = bits >>> 16;
        int dropped = bits & 0xFFFF;
        boolean up = dropped > 0x8000 || (dropped == 0x8000 && (top & 1) == 1);
        return (up ? top + 1 : top) & 0xFFFF;
    }

    private static void assertSameFloats(String what, double[] want, double[] got) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            boolean same = Double.isNaN(want[i]) ? Double.isNaN(got[i])
                    : Double.doubleToRawLongBits(want[i]) == Double.doubleToRawLongBits(got[i]);
            int at = i;
            assertTrue(same, () -> what + ": element " + at + " was " + want[at] + ", came back " + got[at]);
        }
    }
}
