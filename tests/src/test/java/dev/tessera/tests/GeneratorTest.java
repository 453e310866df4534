package dev.tessera.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    /** Known-answer vectors of the Random123 distribution (kat_vectors, philox4x32_10). */
    @Test
    void philoxMatchesRandom123KnownAnswers() {
        int[] out = new int[4];
        Generator.philox(0, 0, 0, 0, 0, 0, out);
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, out);
        Generator.philox(-1, -1, -1, -1, -1, -1, out);
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, out);
        Generator.philox(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}, out);
    }

    @Test
    void sameSeedSameStreamAndOffsetsAdvance() {
        Generator a = new Generator(7);
        Generator b = new Generator(7);
        assertArrayEquals(Tensor.randn(a, 5, 3).toFloatArray(), Tensor.randn(b, 5, 3).toFloatArray());
        assertEquals(8, a.offset()); // 15 normals use ceil(15 / 2) blocks
        Generator resumed = new Generator(7, a.offset());
        assertArrayEquals(Tensor.rand(a, 9).toFloatArray(), Tensor.rand(resumed, 9).toFloatArray());
    }

    @Property(tries = 50)
    void uniformsLieInUnitIntervalAndIntegersInRange(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5000) int n) {
        Generator g = new Generator(seed);
        for (float u : Tensor.rand(g, n).toFloatArray()) {
            assertTrue(u >= 0 && u < 1, "uniform " + u);
        }
        for (long v : Tensor.randint(g, -3, 4, n).toLongArray()) {
            assertTrue(v >= -3 && v < 4, "integer " + v);
        }
    }

    @Test
    void normalsHaveUnitMoments() {
        float[] z = Tensor.randn(new Generator(1), 200_000).toFloatArray();
        double mean = 0;
        double sq = 0;
        for (float v : z) {
            mean += v;
            sq += (double) v * v;
        }
        mean /= z.length;
        double var = sq / z.length - mean * mean;
        // Standard errors at n = 200k: 0.0022 for the mean, 0.0032 for the variance; 5 sigma.
        assertEquals(0, mean, 0.011);
        assertEquals(1, var, 0.016);
    }
}
