package dev.tessera.tests.tensor;

import static dev.tessera.tests.tensor.Messages.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.Shape;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Shape arithmetic: broadcasting, dim normalisation, strides, element counts. */
class ShapeTest {
    private static long[] s(long... sizes) {
        return sizes;
    }

    @Test
    void broadcastFollowsNumPy() {
        assertArrayEquals(s(2, 4, 3), Shape.broadcast("add", s(2, 1, 3), s(4, 3)));
        assertArrayEquals(s(4, 3), Shape.broadcast("add", s(4, 3), s()));
        assertArrayEquals(s(3), Shape.broadcast("add", s(), s(3)));
        assertArrayEquals(s(), Shape.broadcast("add", s(), s()));
        assertArrayEquals(s(5, 2), Shape.broadcast("add", s(5, 1), s(1, 2)));
        assertArrayEquals(s(0), Shape.broadcast("add", s(0), s(1)), "1 stretches to 0");
        assertArrayEquals(s(2, 0), Shape.broadcast("add", s(1), s(2, 0)));
    }

    @Test
    void broadcastRefusalsNameOpShapesAndDim() {
        assertRefused(() -> Shape.broadcast("mul", s(2, 3), s(4, 3)), "mul", "[2, 3]", "[4, 3]", "dim 0", "2 vs 4");
        assertRefused(() -> Shape.broadcast("sub", s(0), s(2)), "sub", "[0]", "[2]");
        assertRefused(() -> Shape.broadcast("where", s(3), s(7, 2)), "where", "[3]", "[7, 2]", "dim 1");
    }

    @Property(tries = 300)
    void broadcastIsSymmetricAndEachSideExpandsToIt(
            @ForAll @Size(max = 4) List<@IntRange(min = 0, max = 3) Integer> a,
            @ForAll @Size(max = 4) List<@IntRange(min = 0, max = 3) Integer> b) {
        long[] x = a.stream().mapToLong(Integer::longValue).toArray();
        long[] y = b.stream().mapToLong(Integer::longValue).toArray();
        boolean compatible = true;
        for (int i = 1; i <= Math.min(x.length, y.length); i++) {
            long p = x[x.length - i];
            long q = y[y.length - i];
            compatible &= p == q || p == 1 || q == 1;
        }
        if (!compatible) {
            assertRefused(() -> Shape.broadcast("op", x, y), "op");
            assertRefused(() -> Shape.broadcast("op", y, x), "op");
            return;
        }
        long[] out = Shape.broadcast("op", x, y);
        assertArrayEquals(out, Shape.broadcast("op", y, x));
        assertEquals(Math.max(x.length, y.length), out.length);
        for (long[] side : List.of(x, y)) {
            for (int i = 1; i <= side.length; i++) {
                long size = side[side.length - i];
                assertTrue(size == out[out.length - i] || size == 1);
            }
        }
    }

    @Test
    void dimCountsNegativeDimsFromTheEnd() {
        long[] shape = s(2, 3, 4);
        assertEquals(0, Shape.dim("sum", 0, shape));
        assertEquals(2, Shape.dim("sum", 2, shape));
        assertEquals(2, Shape.dim("sum", -1, shape));
        assertEquals(0, Shape.dim("sum", -3, shape));
        assertRefused(() -> Shape.dim("sum", 3, shape), "sum", "dim 3", "[2, 3, 4]", "[-3, 2]");
        assertRefused(() -> Shape.dim("softmax", -4, shape), "softmax", "dim -4", "[2, 3, 4]", "[-3, 2]");
        assertRefused(() -> Shape.dim("select", 0, s()), "select", "dim 0", "[]", "0-d tensor has no dims");
    }

    @Test
    void countsAndStrides() {
        assertEquals(1, Shape.numel(s()));
        assertEquals(24, Shape.numel(s(2, 3, 4)));
        assertEquals(0, Shape.numel(s(5, 0, 7)));
        assertEquals(0, Shape.numel(s(1L << 40, 1L << 40, 0)), "a 0 wins even after huge sizes");
        assertArrayEquals(s(12, 4, 1), Shape.contiguousStrides(s(2, 3, 4)));
        assertArrayEquals(s(), Shape.contiguousStrides(s()));
        assertArrayEquals(s(4, 4, 1), Shape.contiguousStrides(s(2, 0, 4)), "size 0 counts as 1, as in PyTorch");
        assertTrue(Shape.isContiguous(s(2, 3), s(3, 1)));
        assertFalse(Shape.isContiguous(s(2, 3), s(1, 2)));
        assertTrue(Shape.isContiguous(s(1, 3), s(99, 1)), "a size-1 dim may have any stride");
        assertTrue(Shape.isContiguous(s(2, 0), s(7, 7)), "an empty tensor is contiguous");
        assertFalse(Shape.isContiguous(s(3), s(0)), "a broadcast dim is not");
    }

    @Test
    void checkedRefusesNegativeAndTooManyElements() {
        assertArrayEquals(s(2, 0), Shape.checked("zeros", 2, 0));
        assertRefused(() -> Shape.checked("zeros", 2, -1), "zeros", "negative", "[2, -1]");
        assertRefused(() -> Shape.checked("empty", 1L << 31, 1L << 31), "empty", "[2147483648, 2147483648]");
        long[] asked = s(3, 4);
        long[] got = Shape.checked("zeros", asked);
        asked[0] = 99;
        assertEquals(3, got[0], "checked returns a copy");
    }

    @Test
    void str() {
        assertEquals("[2, 3]", Shape.str(s(2, 3)));
        assertEquals("[]", Shape.str(s()));
    }
}
