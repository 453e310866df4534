package dev.tessera.tensor.cpu;

import static dev.tessera.tensor.cpu.Simd.F;
import static dev.tessera.tensor.cpu.Simd.ORDER;
import static dev.tessera.tensor.cpu.Staging.BYTE;
import static dev.tessera.tensor.cpu.Staging.FLOAT;

import dev.tessera.tensor.Op;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Contiguous F32 loops of the elementwise ops: a vector body, then a scalar tail with the same
 * formulas (the transcendental ones live in {@link VectorMath}). One loop per op, so that every Vector API operator is a constant where it is used
 * (the intrinsics need that) and no compiled loop carries the code of the others. Offsets are in
 * bytes; a BOOL operand is one byte per element.
 */
final class FloatKernels {
    private static final int STEP = Simd.LANES * Float.BYTES;

    private FloatKernels() {}

    private static FloatVector load(MemorySegment s, long at) {
        return FloatVector.fromMemorySegment(F, s, at, ORDER);
    }

    /** The end (in bytes) of the vector body over {@code n} floats. */
    private static long vectorEnd(long n) {
        return Simd.bound(n) * Float.BYTES;
    }

    // ---------------------------------------------------------------- unary

    static void unary(Op op, MemorySegment x, long xb, MemorySegment o, long ob, long n) {
        switch (op) {
            case NEG -> neg(x, xb, o, ob, n);
            case ABS -> abs(x, xb, o, ob, n);
            case EXP -> exp(x, xb, o, ob, n);
            case LOG -> VectorMath.log(x, xb, o, ob, n);
            case SQRT -> sqrt(x, xb, o, ob, n);
            case RSQRT -> rsqrt(x, xb, o, ob, n);
            case SIN -> VectorMath.sin(x, xb, o, ob, n);
            case COS -> VectorMath.cos(x, xb, o, ob, n);
            case TANH -> VectorMath.tanh(x, xb, o, ob, n);
            case SIGMOID -> VectorMath.sigmoid(x, xb, o, ob, n);
            case RELU -> relu(x, xb, o, ob, n);
            case SILU -> VectorMath.silu(x, xb, o, ob, n);
            case GELU_TANH -> VectorMath.geluTanh(x, xb, o, ob, n);
            case GELU_ERF -> VectorMath.geluErf(x, xb, o, ob, n);
            case RECIPROCAL -> reciprocal(x, xb, o, ob, n);
            case SQUARE -> square(x, xb, o, ob, n);
            default -> throw new IllegalArgumentException(op.opName() + ": not a unary op");
        }
    }

    private static void neg(MemorySegment x, long xb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            load(x, xb + i).neg().intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, -x.get(FLOAT, xb + i));
        }
    }

    private static void abs(MemorySegment x, long xb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            load(x, xb + i).abs().intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, Math.abs(x.get(FLOAT, xb + i)));
        }
    }

    private static void exp(MemorySegment x, long xb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            VectorMath.exp(load(x, xb + i)).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, VectorMath.exp(x.get(FLOAT, xb + i)));
        }
    }


    private static void sqrt(MemorySegment x, long xb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            load(x, xb + i).sqrt().intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, (float) Math.sqrt(x.get(FLOAT, xb + i)));
        }
    }

    private static void rsqrt(MemorySegment x, long xb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            FloatVector.broadcast(F, 1f).div(load(x, xb + i).sqrt()).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, 1f / (float) Math.sqrt(x.get(FLOAT, xb + i)));
        }
    }





    /** max(x, 0) with NaN kept (Math.max semantics, as the vector MAX has). */
    private static void relu(MemorySegment x, long xb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            load(x, xb + i).max(0f).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, Math.max(x.get(FLOAT, xb + i), 0f));
        }
    }




    private static void reciprocal(MemorySegment x, long xb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            FloatVector.broadcast(F, 1f).div(load(x, xb + i)).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, 1f / x.get(FLOAT, xb + i));
        }
    }

    private static void square(MemorySegment x, long xb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            FloatVector v = load(x, xb + i);
            v.mul(v).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            float v = x.get(FLOAT, xb + i);
            o.set(FLOAT, ob + i, v * v);
        }
    }

    // ---------------------------------------------------------------- binary

    /** {@code o = op(a, b)} for the arithmetic ops; POW goes through double Math.pow (C's pow at the edges). */
    static void binary(Op op, MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        switch (op) {
            case ADD -> add(a, ab, b, bb, o, ob, n);
            case SUB -> sub(a, ab, b, bb, o, ob, n);
            case MUL -> mul(a, ab, b, bb, o, ob, n);
            case DIV -> div(a, ab, b, bb, o, ob, n);
            case MAXIMUM -> maximum(a, ab, b, bb, o, ob, n);
            case MINIMUM -> minimum(a, ab, b, bb, o, ob, n);
            case POW -> {
                for (long i = 0; i < n * 4; i += 4) {
                    o.set(FLOAT, ob + i, (float) ScalarKernels.pow(a.get(FLOAT, ab + i), b.get(FLOAT, bb + i)));
                }
            }
            default -> throw new IllegalArgumentException(op.opName() + ": not a binary op");
        }
    }

    private static void add(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            load(a, ab + i).add(load(b, bb + i)).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, a.get(FLOAT, ab + i) + b.get(FLOAT, bb + i));
        }
    }

    private static void sub(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            load(a, ab + i).sub(load(b, bb + i)).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, a.get(FLOAT, ab + i) - b.get(FLOAT, bb + i));
        }
    }

    private static void mul(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            load(a, ab + i).mul(load(b, bb + i)).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, a.get(FLOAT, ab + i) * b.get(FLOAT, bb + i));
        }
    }

    private static void div(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            load(a, ab + i).div(load(b, bb + i)).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, a.get(FLOAT, ab + i) / b.get(FLOAT, bb + i));
        }
    }

    private static void maximum(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            load(a, ab + i).max(load(b, bb + i)).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, Math.max(a.get(FLOAT, ab + i), b.get(FLOAT, bb + i)));
        }
    }

    private static void minimum(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            load(a, ab + i).min(load(b, bb + i)).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, Math.min(a.get(FLOAT, ab + i), b.get(FLOAT, bb + i)));
        }
    }

    // ---------------------------------------------------------------- comparisons, where, clamp, fill

    /** {@code o = op(a, b)} as BOOL bytes (o's offset {@code ob} is in bytes of o, one per element). */
    static void compare(Op op, MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        switch (op) {
            case EQ -> eq(a, ab, b, bb, o, ob, n);
            case NE -> ne(a, ab, b, bb, o, ob, n);
            case LT -> lt(a, ab, b, bb, o, ob, n);
            case LE -> le(a, ab, b, bb, o, ob, n);
            case GT -> gt(a, ab, b, bb, o, ob, n);
            case GE -> ge(a, ab, b, bb, o, ob, n);
            default -> throw new IllegalArgumentException(op.opName() + ": not a comparison");
        }
    }

    /** The number of leading elements the byte-mask vector body covers (0 when masks are not vectorised). */
    private static long maskBound(long n) {
        return Simd.B == null ? 0 : Simd.bound(n);
    }

    private static void storeMask(VectorMask<Float> m, MemorySegment o, long at) {
        ByteVector.zero(Simd.B).blend((byte) 1, m.cast(Simd.B)).intoMemorySegment(o, at, ORDER);
    }

    private static byte bool(boolean v) {
        return (byte) (v ? 1 : 0);
    }

    private static void eq(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = maskBound(n); i < end; i += Simd.LANES) {
            storeMask(load(a, ab + 4 * i).compare(VectorOperators.EQ, load(b, bb + 4 * i)), o, ob + i);
        }
        for (; i < n; i++) {
            o.set(BYTE, ob + i, bool(a.get(FLOAT, ab + 4 * i) == b.get(FLOAT, bb + 4 * i)));
        }
    }

    private static void ne(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = maskBound(n); i < end; i += Simd.LANES) {
            storeMask(load(a, ab + 4 * i).compare(VectorOperators.NE, load(b, bb + 4 * i)), o, ob + i);
        }
        for (; i < n; i++) {
            o.set(BYTE, ob + i, bool(a.get(FLOAT, ab + 4 * i) != b.get(FLOAT, bb + 4 * i)));
        }
    }

    private static void lt(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = maskBound(n); i < end; i += Simd.LANES) {
            storeMask(load(a, ab + 4 * i).compare(VectorOperators.LT, load(b, bb + 4 * i)), o, ob + i);
        }
        for (; i < n; i++) {
            o.set(BYTE, ob + i, bool(a.get(FLOAT, ab + 4 * i) < b.get(FLOAT, bb + 4 * i)));
        }
    }

    private static void le(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = maskBound(n); i < end; i += Simd.LANES) {
            storeMask(load(a, ab + 4 * i).compare(VectorOperators.LE, load(b, bb + 4 * i)), o, ob + i);
        }
        for (; i < n; i++) {
            o.set(BYTE, ob + i, bool(a.get(FLOAT, ab + 4 * i) <= b.get(FLOAT, bb + 4 * i)));
        }
    }

    private static void gt(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = maskBound(n); i < end; i += Simd.LANES) {
            storeMask(load(a, ab + 4 * i).compare(VectorOperators.GT, load(b, bb + 4 * i)), o, ob + i);
        }
        for (; i < n; i++) {
            o.set(BYTE, ob + i, bool(a.get(FLOAT, ab + 4 * i) > b.get(FLOAT, bb + 4 * i)));
        }
    }

    private static void ge(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = maskBound(n); i < end; i += Simd.LANES) {
            storeMask(load(a, ab + 4 * i).compare(VectorOperators.GE, load(b, bb + 4 * i)), o, ob + i);
        }
        for (; i < n; i++) {
            o.set(BYTE, ob + i, bool(a.get(FLOAT, ab + 4 * i) >= b.get(FLOAT, bb + 4 * i)));
        }
    }

    /** {@code o = c ? a : b} with c BOOL bytes (offset {@code cb} in bytes). */
    static void where(MemorySegment c, long cb, MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment o,
            long ob, long n) {
        long i = 0;
        for (long end = maskBound(n); i < end; i += Simd.LANES) {
            VectorMask<Float> m = ByteVector.fromMemorySegment(Simd.B, c, cb + i, ORDER)
                    .compare(VectorOperators.NE, (byte) 0).cast(F);
            load(b, bb + 4 * i).blend(load(a, ab + 4 * i), m).intoMemorySegment(o, ob + 4 * i, ORDER);
        }
        for (; i < n; i++) {
            float v = c.get(BYTE, cb + i) != 0 ? a.get(FLOAT, ab + 4 * i) : b.get(FLOAT, bb + 4 * i);
            o.set(FLOAT, ob + 4 * i, v);
        }
    }

    /** {@code o = min(max(x, lo), hi)}, NaN kept. */
    static void clamp(MemorySegment x, long xb, float lo, float hi, MemorySegment o, long ob, long n) {
        long i = 0;
        for (long end = vectorEnd(n); i < end; i += STEP) {
            load(x, xb + i).max(lo).min(hi).intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, Math.min(Math.max(x.get(FLOAT, xb + i), lo), hi));
        }
    }

    static void fill(MemorySegment o, long ob, float value, long n) {
        long i = 0;
        FloatVector v = FloatVector.broadcast(F, value);
        for (long end = vectorEnd(n); i < end; i += STEP) {
            v.intoMemorySegment(o, ob + i, ORDER);
        }
        for (; i < n * 4; i += 4) {
            o.set(FLOAT, ob + i, value);
        }
    }
}
