package dev.tessera.tensor.cpu;

import static dev.tessera.tensor.cpu.Simd.F;
import static dev.tessera.tensor.cpu.Simd.addLanes;
import static dev.tessera.tensor.cpu.Simd.ORDER;
import static dev.tessera.tensor.cpu.Staging.FLOAT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * F32 reduction loops on contiguous data (offsets in bytes). Two shapes: along a run (sum, max,
 * min, sum of exp(x - m)), and across rows into a contiguous accumulator row (the reduced dims are
 * outer, the kept ones inner). Lanes are combined in a fixed order, never with reduceLanes, whose
 * float order is unspecified: results are the same bits wherever and however often they run.
 *
 * <p>Error of {@link #sum}: each block of {@link #SUM_BLOCK} floats is summed in 4 x LANES
 * accumulators, which are then added lane-wise and lanes first to last, with a scalar tail of
 * under 4 x LANES elements; no float result passes through more than SUM_BLOCK / (4 LANES) + 2 +
 * LANES + 4 LANES additions (145 with 16 lanes), and blocks are added in double. So
 * |error| <= about 145 eps sum|x| (eps = 2^-24, about 1e-5 sum|x|) whatever the length, where one
 * serial float chain would allow n eps sum|x|; random-sign data sees far less (tested: 3M uniform
 * values within 1e-6 relative).
 */
final class FloatReduceKernels {
    /** Floats summed in float lanes before the partial goes into the double total. */
    static final int SUM_BLOCK = 4096;
    private static final int STEP = Simd.LANES * Float.BYTES;

    private FloatReduceKernels() {}

    private static FloatVector load(MemorySegment s, long at) {
        return FloatVector.fromMemorySegment(F, s, at, ORDER);
    }

    /** Sum of {@code n} floats, blocked as the class comment says. */
    static double sum(MemorySegment x, long xb, long n) {
        double total = 0;
        for (long done = 0; done < n; done += SUM_BLOCK) {
            total += sumBlock(x, xb + done * 4, Math.min(SUM_BLOCK, n - done));
        }
        return total;
    }

    private static float sumBlock(MemorySegment x, long xb, long n) {
        long i = 0;
        float s = 0f;
        long end4 = Simd.VECTOR ? (n / (4L * Simd.LANES)) * 4L * STEP : 0;
        if (end4 > 0) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            for (; i < end4; i += 4 * STEP) {
                a0 = a0.add(load(x, xb + i));
                a1 = a1.add(load(x, xb + i + STEP));
                a2 = a2.add(load(x, xb + i + 2 * STEP));
                a3 = a3.add(load(x, xb + i + 3 * STEP));
            }
            s = addLanes(a0.add(a1).add(a2.add(a3)));
        }
        for (; i < n * 4; i += 4) {
            s += x.get(FLOAT, xb + i);
        }
        return s;
    }

    /** The largest of {@code n} floats, NaN if any is NaN; -inf for none. */
    static float max(MemorySegment x, long xb, long n) {
        return extreme(x, xb, n, true);
    }

    /** The smallest of {@code n} floats, NaN if any is NaN; +inf for none. */
    static float min(MemorySegment x, long xb, long n) {
        return extreme(x, xb, n, false);
    }

    /**
     * max or min with Java's semantics (NaN wins, +0 above -0). Four independent vector chains,
     * as {@link #sumBlock} keeps: one NaN-safe vector max is several dependent instructions, so a
     * single chain waits on itself. The result does not depend on the order: max and min are exact.
     */
    private static float extreme(MemorySegment x, long xb, long n, boolean largest) {
        float none = largest ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        long i = 0;
        float m = none;
        long end = Simd.bound(n) * 4;
        if (end > 0) {
            FloatVector a0 = FloatVector.broadcast(F, none);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            long end4 = end / (4L * STEP) * 4L * STEP;
            for (; i < end4; i += 4 * STEP) {
                a0 = pick(a0, load(x, xb + i), largest);
                a1 = pick(a1, load(x, xb + i + STEP), largest);
                a2 = pick(a2, load(x, xb + i + 2 * STEP), largest);
                a3 = pick(a3, load(x, xb + i + 3 * STEP), largest);
            }
            for (; i < end; i += STEP) {
                a0 = pick(a0, load(x, xb + i), largest);
            }
            FloatVector a = pick(pick(a0, a1, largest), pick(a2, a3, largest), largest);
            for (int l = 0; l < Simd.LANES; l++) {
                m = largest ? Math.max(m, a.lane(l)) : Math.min(m, a.lane(l));
            }
        }
        for (; i < n * 4; i += 4) {
            float v = x.get(FLOAT, xb + i);
            m = largest ? Math.max(m, v) : Math.min(m, v);
        }
        return m;
    }

    private static FloatVector pick(FloatVector a, FloatVector b, boolean largest) {
        return largest ? a.max(b) : a.min(b);
    }

    /** Sum of exp(x - m) over {@code n} floats, blocked like {@link #sum}. */
    static double sumExp(MemorySegment x, long xb, long n, float m) {
        double total = 0;
        for (long done = 0; done < n; done += SUM_BLOCK) {
            total += sumExpBlock(x, xb + done * 4, Math.min(SUM_BLOCK, n - done), m);
        }
        return total;
    }

    private static float sumExpBlock(MemorySegment x, long xb, long n, float m) {
        long i = 0;
        float s = 0f;
        long end = Simd.bound(n) * 4;
        if (end > 0) {
            FloatVector a = FloatVector.zero(F);
            for (; i < end; i += STEP) {
                a = a.add(VectorMath.exp(load(x, xb + i).sub(m)));
            }
            s = addLanes(a);
        }
        for (; i < n * 4; i += 4) {
            s += VectorMath.exp(x.get(FLOAT, xb + i) - m);
        }
        return s;
    }

    /**
     * Writes {@code out[i] = 2^24 exp(x[i] - m)} (x[i] <= m) and returns their sum, blocked like
     * {@link #sum} ({@link VectorMath#expTimes2p24AndSum} per block): the middle pass of softmax. The
     * factor 2^24 cancels in softmax's scale pass (times 1 / sum).
     */
    static double expAndSum(MemorySegment x, long xb, MemorySegment o, long ob, long n, float m) {
        double total = 0;
        for (long done = 0; done < n; done += SUM_BLOCK) {
            total += VectorMath.expTimes2p24AndSum(x, xb + done * 4, o, ob + done * 4, Math.min(SUM_BLOCK, n - done), m);
        }
        return total;
    }

    /** {@code o[i] = x[i] * scale}. */
    static void scale(MemorySegment x, long xb, MemorySegment o, long ob, long n, float scale) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            load(x, xb + i).mul(scale).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, x.get(FLOAT, xb + i) * scale);
        }
    }

    /** {@code o[i] = x[i] - shift}. */
    static void shift(MemorySegment x, long xb, MemorySegment o, long ob, long n, float shift) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            load(x, xb + i).sub(shift).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, x.get(FLOAT, xb + i) - shift);
        }
    }

    // ---------------------------------------------------------------- across rows: acc[i] op= row[i]

    static void addRow(MemorySegment acc, long ab, MemorySegment row, long rb, long n) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            load(acc, ab + i).add(load(row, rb + i)).intoMemorySegment(acc, ab + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            acc.set(FLOAT, ab + i, acc.get(FLOAT, ab + i) + row.get(FLOAT, rb + i));
        }
    }

    static void maxRow(MemorySegment acc, long ab, MemorySegment row, long rb, long n) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            load(acc, ab + i).max(load(row, rb + i)).intoMemorySegment(acc, ab + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            acc.set(FLOAT, ab + i, Math.max(acc.get(FLOAT, ab + i), row.get(FLOAT, rb + i)));
        }
    }

    static void minRow(MemorySegment acc, long ab, MemorySegment row, long rb, long n) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            load(acc, ab + i).min(load(row, rb + i)).intoMemorySegment(acc, ab + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            acc.set(FLOAT, ab + i, Math.min(acc.get(FLOAT, ab + i), row.get(FLOAT, rb + i)));
        }
    }

    /** {@code acc[i] += exp(row[i] - m[i])}. */
    static void addExpRow(MemorySegment acc, long ab, MemorySegment row, long rb, MemorySegment m, long mb, long n) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            FloatVector e = VectorMath.exp(load(row, rb + i).sub(load(m, mb + i)));
            load(acc, ab + i).add(e).intoMemorySegment(acc, ab + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            float e = VectorMath.exp(row.get(FLOAT, rb + i) - m.get(FLOAT, mb + i));
            acc.set(FLOAT, ab + i, acc.get(FLOAT, ab + i) + e);
        }
    }
}
