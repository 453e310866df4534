package dev.tessera.tensor.cpu;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The k best entries along a dim, sorted best first; ties go to the lower index, and NaN counts as
 * larger than every number. Each row is turned into order-preserving long keys (floats by their
 * bit patterns, integers as they are), then a bounded heap keeps the k best in O(n log k).
 */
final class TopK {
    private TopK() {}

    static void topk(Tensor x, int dim, int k, boolean largest, Tensor values, Tensor indices) {
        long n = x.shape()[dim];
        if (values.numel() == 0) {
            return;
        }
        long sx = x.strides()[dim];
        long sv = values.strides()[dim];
        long si = indices.strides()[dim];
        long[] rowShape = x.shape();
        rowShape[dim] = 1;
        StridedRuns rows = new StridedRuns(rowShape, new long[][] {x.strides(), values.strides(), indices.strides()},
                new long[] {x.offset(), values.offset(), indices.offset()});
        MemorySegment xs = x.storage().segment();
        MemorySegment vs = values.storage().segment();
        MemorySegment is = indices.storage().segment();
        DType t = x.dtype();
        int bytes = t.byteSize();
        long grain = Math.max(1, Elementwise.GRAIN / Math.max(1, n));
        Parallel.forRange(rows.numel(), grain, (start, end) -> {
            Scratch scratch = Scratch.get();
            long[] keys = scratch.longs(0, (int) n);
            long[] heap = scratch.longs(1, k);
            StridedRuns.Cursor c = rows.cursor(start, end);
            while (c.next()) {
                for (long r = 0; r < c.length(); r++) {
                    long xAt = c.offset(0) + r * c.stride(0);
                    long vAt = c.offset(1) + r * c.stride(1);
                    long iAt = c.offset(2) + r * c.stride(2);
                    keys(xs, t, xAt, sx, (int) n, keys, scratch);
                    select(keys, (int) n, k, largest, heap);
                    for (int j = 0; j < k; j++) {
                        long index = heap[j];
                        Staging.copyElements(xs, xAt + index * sx, 1, vs, vAt + j * sv, 1, 1, bytes);
                        is.set(Staging.LONG, (iAt + j * si) * 8, index);
                    }
                }
            }
        });
    }

    /** Keys whose signed-long order is the value order: floats with -0 as +0 and every NaN above +inf. */
    private static void keys(MemorySegment xs, DType t, long at, long stride, int n, long[] keys, Scratch scratch) {
        if (!t.isFloating()) {
            Staging.toLongs(xs, t, at, stride, n, keys);
            return;
        }
        double[] v = scratch.doubles(0, n);
        Staging.toDoubles(xs, t, at, stride, n, v);
        for (int i = 0; i < n; i++) {
            double d = v[i] == 0 ? 0.0 : v[i];
            long bits = Double.doubleToLongBits(d); // canonical NaN: 0x7ff8..., above +inf
            keys[i] = bits ^ ((bits >> 63) & Long.MAX_VALUE);
        }
    }

    /** True when entry a ranks before entry b. */
    private static boolean before(long[] keys, long a, long b, boolean largest) {
        long ka = keys[(int) a];
        long kb = keys[(int) b];
        if (ka != kb) {
            return largest ? ka > kb : ka < kb;
        }
        return a < b;
    }

    /** Leaves the k best indices in {@code out[0..k)}, best first. */
    private static void select(long[] keys, int n, int k, boolean largest, long[] out) {
        // A heap whose root is the worst of the best k seen so far.
        int size = 0;
        for (int i = 0; i < n; i++) {
            if (size < k) {
                out[size] = i;
                siftUp(out, size++, keys, largest);
            } else if (before(keys, i, out[0], largest)) {
                out[0] = i;
                siftDown(out, 0, size, keys, largest);
            }
        }
        // Pop the worst into the back until the heap is empty: best first.
        for (int end = size - 1; end > 0; end--) {
            long worst = out[0];
            out[0] = out[end];
            out[end] = worst;
            siftDown(out, 0, end, keys, largest);
        }
    }

    private static void siftUp(long[] heap, int at, long[] keys, boolean largest) {
        while (at > 0) {
            int parent = (at - 1) / 2;
            if (!before(keys, heap[parent], heap[at], largest)) {
                return;
            }
            long tmp = heap[parent];
            heap[parent] = heap[at];
            heap[at] = tmp;
            at = parent;
        }
    }

    private static void siftDown(long[] heap, int at, int size, long[] keys, boolean largest) {
        while (true) {
            int worst = at;
            int left = 2 * at + 1;
            int right = left + 1;
            if (left < size && before(keys, heap[worst], heap[left], largest)) {
                worst = left;
            }
            if (right < size && before(keys, heap[worst], heap[right], largest)) {
                worst = right;
            }
            if (worst == at) {
                return;
            }
            long tmp = heap[worst];
            heap[worst] = heap[at];
            heap[at] = tmp;
            at = worst;
        }
    }
}
