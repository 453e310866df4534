package dev.tessera.tests.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;

/** Asserts that two state dicts hold the same keys, dtypes, shapes and bits. */
final class SameBits {
    private SameBits() {}

    static void assertSameBits(String what, Map<String, Tensor> want, Map<String, Tensor> got) {
        assertEquals(new ArrayList<>(want.keySet()), new ArrayList<>(got.keySet()), what + ": keys");
        want.forEach((key, w) -> {
            Tensor g = got.get(key);
            assertEquals(w.dtype(), g.dtype(), what + " " + key + ": dtype");
            assertArrayEquals(w.shape(), g.shape(), what + " " + key + ": shape");
            assertArrayEquals(bits(w), bits(g), what + " " + key + ": bits");
        });
    }

    /** Every element's exact bits: integers as they are, floats widened to double (exact and one-to-one). */
    static long[] bits(Tensor t) {
        if (t.dtype() == DType.I64 || t.dtype() == DType.I32) {
            return t.toLongArray();
        }
        return Arrays.stream(t.toDoubleArray()).mapToLong(Double::doubleToRawLongBits).toArray();
    }
}
