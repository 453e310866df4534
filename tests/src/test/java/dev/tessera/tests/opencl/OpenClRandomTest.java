package dev.tessera.tests.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The device draws the cpu's Philox streams: same seed and offset, same numbers. */
@ExtendWith(OpenClAvailable.class)
class OpenClRandomTest {
    @Test
    void uniformSamplesAreTheCpusBitForBit() {
        for (long seed : new long[] {0, 7, -1, 0x1234_5678_9ABCL << 12}) {
            for (int n : new int[] {0, 1, 3, 4, 5, 1001}) {
                Generator onCpu = new Generator(seed, 99);
                Generator onDevice = new Generator(seed, 99);
                Tensor want = Tensor.rand(onCpu, n);
                Tensor got = Tensor.rand(onDevice, Device.opencl(), n);
                assertEquals(Device.opencl(), got.device());
                assertArrayEquals(want.toFloatArray(), got.toFloatArray(), "seed " + seed + ", n " + n);
                assertEquals(onCpu.offset(), onDevice.offset(), "both moved past the same blocks");
            }
        }
    }

    @Test
    void integersAreTheCpusBitForBit() {
        long[][] ranges = {{0, 10}, {-5, 3}, {Long.MIN_VALUE / 2, Long.MAX_VALUE / 2}, {0, 1}};
        for (long[] r : ranges) {
            Generator onCpu = new Generator(11, 3);
            Generator onDevice = new Generator(11, 3);
            assertArrayEquals(Tensor.randint(onCpu, r[0], r[1], 5, 301).toLongArray(),
                    Tensor.randint(onDevice, r[0], r[1], Device.opencl(), 5, 301).toLongArray());
            assertEquals(onCpu.offset(), onDevice.offset());
        }
    }

    @Test
    void normalSamplesMatchTheCpuToTheLastBitOrOneUlp() {
        // The device's double log and cos are not correctly rounded as StrictMath's are, so a float
        // lying within a few double ulps of a rounding boundary may round the other way: 1 float ulp.
        Generator onCpu = new Generator(42);
        Generator onDevice = new Generator(42);
        float[] want = Tensor.randn(onCpu, 3, 20001).toFloatArray();
        float[] got = Tensor.randn(onDevice, Device.opencl(), 3, 20001).toFloatArray();
        int exact = 0;
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= Math.ulp(want[i]), "element " + i + ": " + want[i] + " vs " + got[i]);
            exact += want[i] == got[i] ? 1 : 0;
        }
        assertTrue(exact >= want.length - 3, exact + " of " + want.length + " exact");
        assertEquals(onCpu.offset(), onDevice.offset());
    }

    @Test
    void drawsContinueTheStreamWhereverTheyHappen() {
        Generator mixed = new Generator(5);
        Generator cpuOnly = new Generator(5);
        float[] first = Tensor.rand(mixed, Device.opencl(), 7).toFloatArray();
        float[] second = Tensor.rand(mixed, 9).toFloatArray();
        assertArrayEquals(Tensor.rand(cpuOnly, 7).toFloatArray(), first);
        assertArrayEquals(Tensor.rand(cpuOnly, 9).toFloatArray(), second);
    }
}
