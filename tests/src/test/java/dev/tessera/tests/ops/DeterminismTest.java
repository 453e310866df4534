package dev.tessera.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Same inputs, same backend, same thread count: the same bits. Every op, on the cpu backend. */
class DeterminismTest {
    @Property(tries = 400)
    void theCpuBackendGivesTheSameBitsTwice(@ForAll("anyOp") OpCase c) {
        List<Tensor> first = c.run(Device.cpu());
        List<Tensor> second = c.run(Device.cpu());
        assertEquals(first.size(), second.size(), c.toString());
        for (int k = 0; k < first.size(); k++) {
            assertArrayEquals(bits(first.get(k)), bits(second.get(k)), c + ", output " + k);
        }
    }

    @Provide
    Arbitrary<OpCase> anyOp() {
        return Arbitraries.oneOf(OpInfos.all().values().stream().map(OpInfo::samples).toList());
    }

    /** The elements' bit patterns (every NaN as the canonical one: a NaN's payload is not a result). */
    private static long[] bits(Tensor t) {
        if (!t.dtype().isFloating()) {
            return Elements.longs(t);
        }
        return Arrays.stream(Elements.doubles(t)).mapToLong(Double::doubleToLongBits).toArray();
    }
}
