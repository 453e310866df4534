package dev.tessera.tensor.cpu;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * ARGMAX and ARGMIN along one dim into I64: the first index of the best value, where a NaN beats
 * every number (the first NaN wins). F32 rows with stride 1 are scanned in place; other float rows
 * are staged as doubles (exact), integer and BOOL rows as longs.
 */
final class ArgReductions {
    private ArgReductions() {}

    static void argReduce(Op op, Tensor x, int dim, Tensor out) {
        long length = x.shape()[dim];
        long stride = x.strides()[dim];
        if (out.numel() == 0) {
            return;
        }
        if (length == 0) {
            throw new IllegalArgumentException(op.opName() + ": cannot reduce an empty dim " + dim + " (shape "
                    + Arrays.toString(x.shape()) + ")");
        }
        boolean max = op == Op.ARGMAX;
        MemorySegment xs = x.storage().segment();
        MemorySegment os = out.storage().segment();
        DType t = x.dtype();
        StridedRuns rows = new StridedRuns(out.shape(), new long[][] {x.strides(), out.strides()},
                new long[] {x.offset(), out.offset()});
        Parallel.forRange(rows.numel(), Math.max(1, Elementwise.GRAIN / length), (start, end) -> {
            StridedRuns.Cursor c = rows.cursor(start, end);
            while (c.next()) {
                for (long i = 0; i < c.length(); i++) {
                    long base = c.offset(0) + i * c.stride(0);
                    long best;
                    if (t == DType.F32 && stride == 1) {
                        best = max ? argmaxF32(xs, base * 4, length) : argminF32(xs, base * 4, length);
                    } else if (t.isFloating()) {
                        best = argDouble(max, xs, t, base, stride, length);
                    } else {
                        best = argLong(max, xs, t, base, stride, length);
                    }
                    os.set(Staging.LONG, (c.offset(1) + i * c.stride(1)) * 8, best);
                }
            }
        });
    }

    private static long argmaxF32(MemorySegment x, long xb, long n) {
        float best = x.get(Staging.FLOAT, xb);
        long at = 0;
        if (best != best) {
            return 0;
        }
        for (long i = 1; i < n; i++) {
            float v = x.get(Staging.FLOAT, xb + 4 * i);
            if (v > best) {
                best = v;
                at = i;
            } else if (v != v) {
                return i;
            }
        }
        return at;
    }

    private static long argminF32(MemorySegment x, long xb, long n) {
        float best = x.get(Staging.FLOAT, xb);
        long at = 0;
        if (best != best) {
            return 0;
        }
        for (long i = 1; i < n; i++) {
            float v = x.get(Staging.FLOAT, xb + 4 * i);
            if (v < best) {
                best = v;
                at = i;
            } else if (v != v) {
                return i;
            }
        }
        return at;
    }

    private static long argDouble(boolean max, MemorySegment x, DType t, long base, long stride, long n) {
        double[] v = Scratch.get().doubles(0, Scratch.BLOCK);
        double best = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        long at = 0;
        for (long done = 0; done < n; done += Scratch.BLOCK) {
            int m = (int) Math.min(Scratch.BLOCK, n - done);
            Staging.toDoubles(x, t, base + done * stride, stride, m, v);
            for (int i = 0; i < m; i++) {
                double e = v[i];
                if (e != e) {
                    return done + i;
                }
                if (max ? e > best : e < best) {
                    best = e;
                    at = done + i;
                }
            }
        }
        return at;
    }

    private static long argLong(boolean max, MemorySegment x, DType t, long base, long stride, long n) {
        long[] v = Scratch.get().longs(0, Scratch.BLOCK);
        long best = 0;
        long at = -1;
        for (long done = 0; done < n; done += Scratch.BLOCK) {
            int m = (int) Math.min(Scratch.BLOCK, n - done);
            Staging.toLongs(x, t, base + done * stride, stride, m, v);
            for (int i = 0; i < m; i++) {
                long e = v[i];
                if (at < 0 || (max ? e > best : e < best)) {
                    best = e;
                    at = done + i;
                }
            }
        }
        return at;
    }
}
