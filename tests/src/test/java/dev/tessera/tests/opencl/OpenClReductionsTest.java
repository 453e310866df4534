package dev.tessera.tests.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.ValuesIndices;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * reductions.cl past what the OpInfo cases reach: reductions far longer than one work-group (split
 * into chunks whose partials are combined on the device), lines long enough for the work-group
 * kernels, topk past the local-memory sort, and the same bits on every run.
 */
@ExtendWith(OpenClAvailable.class)
class OpenClReductionsTest {
    private static final int LONG = 1_000_003;
    /** One float32 ulp of 1.0f (Tolerance.EPS). */
    private static final double EPS = 0x1p-23;

    private static float[] uniform(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }

    /** Small integers as floats: every partial sum of fewer than 2^22 of them is exact in float32. */
    private static float[] smallIntegers(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(7) - 3;
        }
        return v;
    }

    private static Tensor on(Device device, float[] values, long... shape) {
        return Tensor.of(values, shape).to(device);
    }

    @Test
    void aSumOfAMillionFloatsIsWithinTheSummationBound() {
        float[] v = uniform(LONG, 1);
        double want = on(Device.reference(), v, LONG).sum().item();
        double got = on(Device.opencl(), v, LONG).sum().item();
        double magnitude = on(Device.reference(), v, LONG).abs().sum().item();
        // OpInfosReduce's SUM tolerance: one rounding of the result plus n eps sum|x| (any order).
        assertTrue(Math.abs(got - want) <= EPS * Math.abs(want) + LONG * EPS * magnitude,
                "want " + want + ", got " + got);
    }

    @Test
    void aSumOfAMillionSmallIntegersIsExactSoEveryElementCountsOnce() {
        float[] v = smallIntegers(LONG, 2);
        assertEquals(on(Device.reference(), v, LONG).sum().item(), on(Device.opencl(), v, LONG).sum().item());
        // The reduced dim strided by 3, with three outputs: chunks of a strided run.
        float[] w = smallIntegers(3 * 333_337, 3);
        assertArrayEquals(on(Device.reference(), w, 333_337, 3).sum(0).toFloatArray(),
                on(Device.opencl(), w, 333_337, 3).sum(0).toFloatArray());
        // Two of three dims reduced, and the kept one between them.
        float[] u = smallIntegers(7 * 3 * 47_619, 10);
        assertArrayEquals(on(Device.reference(), u, 7, 3, 47_619).sum(new int[] {0, 2}, false).toFloatArray(),
                on(Device.opencl(), u, 7, 3, 47_619).sum(new int[] {0, 2}, false).toFloatArray());
    }

    @Test
    void maxMinAndLogsumexpOfAMillionMatchTheReference() {
        float[] v = uniform(LONG, 4);
        Tensor ref = on(Device.reference(), v, LONG);
        Tensor cl = on(Device.opencl(), v, LONG);
        assertEquals(ref.max().item(), cl.max().item());
        assertEquals(ref.min().item(), cl.min().item());
        double want = ref.logsumexp().item();
        // OpInfosReduce's LOGSUMEXP tolerance: 2 eps |want| + 24 eps + n eps.
        assertTrue(Math.abs(cl.logsumexp().item() - want) <= 2 * EPS * Math.abs(want) + 24 * EPS + LONG * EPS);
        v[777_777] = Float.NaN;
        assertTrue(Double.isNaN(on(Device.opencl(), v, LONG).max().item()));
        assertTrue(Double.isNaN(on(Device.opencl(), v, LONG).logsumexp().item()));
    }

    @Test
    void argmaxOfAMillionTakesTheFirstOfEqualValuesAndTheFirstNaN() {
        float[] v = uniform(LONG, 5);
        v[900_001] = 2;
        v[300_007] = 2;
        v[600_000] = -2;
        v[12] = -2;
        Tensor cl = on(Device.opencl(), v, LONG);
        assertEquals(300_007, (long) cl.argmax().item());
        assertEquals(12, (long) cl.argmin().item());
        v[800_000] = Float.NaN;
        v[400_000] = Float.NaN;
        assertEquals(400_000, (long) on(Device.opencl(), v, LONG).argmax().item());
        assertEquals(400_000, (long) on(Device.opencl(), v, LONG).argmin().item());
    }

    @Test
    void longRowsOfCumsumAndSoftmaxMatchTheReference() {
        int n = 100_003;
        float[] ints = smallIntegers(2 * n, 6);
        // Partial sums stay below 2^22: exact in any order.
        assertArrayEquals(on(Device.reference(), ints, 2, n).cumsum(1).toFloatArray(),
                on(Device.opencl(), ints, 2, n).cumsum(1).toFloatArray());
        float[] v = uniform(2 * n, 7);
        float[] want = on(Device.reference(), v, 2, n).softmax(1).toFloatArray();
        float[] got = on(Device.opencl(), v, 2, n).softmax(1).toFloatArray();
        for (int i = 0; i < want.length; i++) {
            // OpInfosAlongDim's softmax tolerance: (24 + n) eps |want| + the smallest normal float.
            double allowed = (24 + n) * EPS * Math.abs(want[i]) + Float.MIN_NORMAL;
            assertTrue(Math.abs(got[i] - want[i]) <= allowed, "element " + i + ": want " + want[i] + ", got " + got[i]);
        }
    }

    @Test
    void repeatedRunsGiveTheSameBits() {
        float[] v = uniform(LONG, 8);
        Tensor x = on(Device.opencl(), v, LONG);
        Tensor rows = on(Device.opencl(), v, 1, LONG);
        assertEquals(Double.doubleToRawLongBits(x.sum().item()), Double.doubleToRawLongBits(x.sum().item()));
        assertEquals(Double.doubleToRawLongBits(x.logsumexp().item()), Double.doubleToRawLongBits(x.logsumexp().item()));
        assertArrayEquals(rows.softmax(1).toFloatArray(), rows.softmax(1).toFloatArray());
        assertArrayEquals(rows.cumsum(1).toFloatArray(), rows.cumsum(1).toFloatArray());
    }

    @Test
    void topkOverARowOfFiveThousandMatchesTheReference() {
        int n = 5_000;
        float[] v = smallIntegers(3 * n, 9); // many ties: the lower index must come first
        v[17] = Float.NaN;
        v[4_000] = Float.NaN;
        v[n + 3] = Float.POSITIVE_INFINITY;
        v[2 * n + 9] = Float.NEGATIVE_INFINITY;
        for (int k : new int[] {1, 37, n}) {
            for (boolean largest : new boolean[] {true, false}) {
                ValuesIndices want = on(Device.reference(), v, 3, n).topk(k, 1, largest);
                ValuesIndices got = on(Device.opencl(), v, 3, n).topk(k, 1, largest);
                assertArrayEquals(want.values().toFloatArray(), got.values().toFloatArray(), "k " + k + ", largest " + largest);
                assertArrayEquals(want.indices().toLongArray(), got.indices().toLongArray(), "k " + k + ", largest " + largest);
            }
        }
        // The same rows along dim 0 of the transpose: strided lines.
        ValuesIndices want = on(Device.reference(), v, 3, n).transpose(0, 1).sort(0, true);
        ValuesIndices got = on(Device.opencl(), v, 3, n).transpose(0, 1).sort(0, true);
        assertArrayEquals(want.values().toFloatArray(), got.values().toFloatArray());
        assertArrayEquals(want.indices().toLongArray(), got.indices().toLongArray());
    }
}
