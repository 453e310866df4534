package dev.tessera.tests.tensor;

import static dev.tessera.tests.tensor.Messages.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tessera.tensor.Tensor;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** split and chunk give the pieces PyTorch gives, as views, in order. */
class SplitChunkTest {
    private static long[] sizes(List<Tensor> parts, int dim) {
        return parts.stream().mapToLong(p -> p.size(dim)).toArray();
    }

    @Test
    void chunkSizesMatchPyTorch() {
        // torch.arange(n).chunk(k): pieces of ceil(n / k), so possibly fewer than k pieces.
        assertArrayEquals(new long[] {2, 2, 1}, sizes(Tensor.zeros(5).chunk(3, 0), 0));
        assertArrayEquals(new long[] {2, 2, 2}, sizes(Tensor.zeros(6).chunk(4, 0), 0));
        assertArrayEquals(new long[] {3, 3, 1}, sizes(Tensor.zeros(7).chunk(3, 0), 0));
        assertArrayEquals(new long[] {1, 1}, sizes(Tensor.zeros(2).chunk(5, 0), 0));
        assertArrayEquals(new long[] {4}, sizes(Tensor.zeros(4).chunk(1, 0), 0));
        assertArrayEquals(new long[] {2, 1}, sizes(Tensor.zeros(4, 3).chunk(2, -1), 1));
    }

    @Test
    void splitSizesMatchPyTorch() {
        assertArrayEquals(new long[] {2, 2, 1}, sizes(Tensor.zeros(5).split(2, 0), 0));
        assertArrayEquals(new long[] {5}, sizes(Tensor.zeros(5).split(9, 0), 0));
        assertArrayEquals(new long[] {1, 1, 1}, sizes(Tensor.zeros(2, 3).split(1, 1), 1));
        // A dim of size 0 splits into one empty piece, as torch.zeros(0, 3).split(2) does.
        List<Tensor> empty = Tensor.zeros(0, 3).split(2, 0);
        assertEquals(1, empty.size());
        assertArrayEquals(new long[] {0, 3}, empty.get(0).shape());
        assertArrayEquals(new long[] {1, 0}, Tensor.zeros(3, 0).split(2, 0).get(1).shape());
    }

    @Test
    void refusals() {
        assertRefused(() -> Tensor.zeros(4).split(0, 0), "split", "size", "0");
        assertRefused(() -> Tensor.zeros(4).chunk(0, 0), "chunk", "0");
        assertRefused(() -> Tensor.zeros(4).split(1, 1), "split", "dim 1", "[4]");
        assertRefused(() -> Tensor.scalar(1).chunk(2, 0), "chunk", "[]");
    }

    @Property(tries = 200)
    void piecesAreViewsThatTileTheDim(@ForAll @IntRange(min = 0, max = 12) int n,
            @ForAll @IntRange(min = 1, max = 14) int k, @ForAll @IntRange(min = 1, max = 3) int rows) {
        Tensor x = Tensor.arange(rows * n).view(rows, n);
        for (List<Tensor> parts : List.of(x.split(k, 1), x.chunk(k, -1))) {
            long at = 0;
            for (Tensor part : parts) {
                assertSame(x.storage(), part.storage());
                assertEquals(rows, part.size(0));
                long width = part.size(1);
                assertArrayEquals(x.narrow(1, at, width).contiguous().toLongArray(), part.contiguous().toLongArray());
                at += width;
            }
            assertEquals(n, at);
        }
        long chunkSize = Math.max(1, (n + k - 1) / k);
        List<Tensor> chunks = x.chunk(k, 1);
        if (n > 0) {
            assertEquals((n + chunkSize - 1) / chunkSize, chunks.size());
        }
        for (int i = 0; i < chunks.size() - 1; i++) {
            assertEquals(chunkSize, chunks.get(i).size(1), "all chunks but the last have ceil(n / k)");
        }
    }
}
