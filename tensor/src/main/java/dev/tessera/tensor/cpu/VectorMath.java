package dev.tessera.tensor.cpu;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.NE;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;

/**
 * Float transcendental functions over contiguous F32 runs: each as a loop with a vector body, next
 * to its scalar twin, which performs the same float operations in the same order (Math.fma for
 * every vector fma) and serves as the loop's tail: results never depend on where the vector loop
 * ends. {@link #exp(FloatVector)} is also a per-vector building block of the other functions.
 * Polynomial coefficients were fitted for these ranges (weighted least squares towards minimax
 * relative error); the tested error budget is in VectorMathAccuracyTest.
 *
 * <p>The loops carry their vector formula inline and call no helper of ours but exp: C2 stops
 * inlining ordinary methods once a compiled loop grows past its node budget, and a vector passed
 * to a call that is not inlined is boxed on the heap (gelu_erf ran 14 times slower that way).
 *
 * <p>Special values follow IEEE and PyTorch: NaN in, NaN out; exp(-inf) = 0, log(0) = -inf,
 * log(x < 0) = NaN, tanh(±inf) = ±1, sigmoid(-inf) = 0, sin/cos(±inf) = NaN; silu and the gelus
 * of -inf are NaN (-inf times 0), as PyTorch's formulas give.
 */
final class VectorMath {
    private VectorMath() {}

    private static final int STEP = Simd.LANES * Float.BYTES;

    // Adding 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer (to nearest even); the
    // integer then sits in the low bits of the sum's bit pattern.
    private static final float ROUND_MAGIC = 12582912f;
    private static final int ROUND_MAGIC_BITS = 0x4B400000;

    // ---------------------------------------------------------------- exp

    private static final float LOG2E = 1.44269504f;
    private static final float NEG_LN2_HI = -6.931471825e-01f;
    private static final float NEG_LN2_LO = 1.904654212e-09f;
    /** Below this exp underflows to 0, above it overflows to infinity; clamping keeps 2^n representable. */
    private static final float EXP_MIN = -104f;
    private static final float EXP_MAX = 89f;
    // e^r = 1 + r + r^2 * P(r) on |r| <= 0.36.
    private static final float E0 = 5.000000000e-01f, E1 = 1.666656286e-01f, E2 = 4.166688398e-02f,
            E3 = 8.365496062e-03f, E4 = 1.390221645e-03f;

    /** e^x: x = n ln2 + r, e^r by a polynomial, 2^n applied in two halves so that subnormal results round once. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
        FloatVector r = n.fma(FloatVector.broadcast(Simd.F, NEG_LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(Simd.F, NEG_LN2_LO), r);
        FloatVector p = r.fma(E4, E3).fma(r, FloatVector.broadcast(Simd.F, E2)).fma(r, FloatVector.broadcast(Simd.F, E1)).fma(r, FloatVector.broadcast(Simd.F, E0));
        FloatVector er = r.mul(r).fma(p, r).add(1f);
        IntVector n1 = ni.lanewise(ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        return er.mul(s1).mul(s2);
    }

    static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float t = Math.fma(xc, LOG2E, ROUND_MAGIC);
        float n = t - ROUND_MAGIC;
        int ni = Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS;
        float r = Math.fma(n, NEG_LN2_HI, xc);
        r = Math.fma(n, NEG_LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(r, E4, E3), r, E2), r, E1), r, E0);
        float er = Math.fma(r * r, p, r) + 1f;
        int n1 = ni >> 1;
        int n2 = ni - n1;
        return er * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    /**
     * Writes {@code o[i] = 2^24 e^(x[i] - m)} for {@code n} floats with x[i] <= m (softmax's middle
     * pass) and returns their float sum: one vector accumulator, its lanes added first to last, then
     * the scalar tail. Fewer steps than {@link #exp(FloatVector)}: no upper clamp, and 2^(n + 24), a
     * normal float for every n >= -150, applied once, by an fma with the polynomial's e^r - 1. The
     * factor 2^24 cancels in softmax's 1 / sum, the product where a subnormal result is rounded once.
     */
    static float expTimes2p24AndSum(MemorySegment x, long xb, MemorySegment o, long ob, long n, float m) {
        long i = 0;
        float sum = 0f;
        long end = Simd.bound(n) * 4;
        if (end > 0) {
            FloatVector a = FloatVector.zero(Simd.F);
            for (; i < end; i += STEP) {
                FloatVector xc = FloatVector.fromMemorySegment(Simd.F, x, xb + i, Simd.ORDER).sub(m).max(EXP_MIN);
                FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
                FloatVector k = t.sub(ROUND_MAGIC);
                FloatVector r = k.fma(FloatVector.broadcast(Simd.F, NEG_LN2_HI), xc);
                r = k.fma(FloatVector.broadcast(Simd.F, NEG_LN2_LO), r);
                FloatVector p = r.fma(E4, E3).fma(r, FloatVector.broadcast(Simd.F, E2)).fma(r, FloatVector.broadcast(Simd.F, E1)).fma(r, FloatVector.broadcast(Simd.F, E0));
                FloatVector s = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS - 127 - 24).lanewise(LSHL, 23).reinterpretAsFloats();
                FloatVector e = r.mul(r).fma(p, r).fma(s, s);
                e.intoMemorySegment(o, ob + i, Simd.ORDER);
                a = a.add(e);
            }
            sum = Simd.addLanes(a); // once per block: even a boxed vector would cost little here
        }
        for (; i < n * 4; i += 4) {
            float e = expTimes2p24(x.get(Staging.FLOAT, xb + i) - m);
            o.set(Staging.FLOAT, ob + i, e);
            sum += e;
        }
        return sum;
    }

    private static float expTimes2p24(float x) {
        float xc = Math.max(x, EXP_MIN);
        float t = Math.fma(xc, LOG2E, ROUND_MAGIC);
        float n = t - ROUND_MAGIC;
        float r = Math.fma(n, NEG_LN2_HI, xc);
        r = Math.fma(n, NEG_LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(r, E4, E3), r, E2), r, E1), r, E0);
        float em1 = Math.fma(r * r, p, r);
        float s = Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUND_MAGIC_BITS - 127 - 24)) << 23);
        return Math.fma(em1, s, s);
    }

    // ---------------------------------------------------------------- log

    private static final float MIN_NORMAL = Float.MIN_NORMAL;
    private static final float TWO_23 = 8388608f;
    private static final float SQRT2 = 1.41421356f;
    private static final float LN2_HI = 6.931471825e-01f;
    private static final float LN2_LO = -1.904654212e-09f;
    // log(1 + f) = f - f^2/2 + f^3 * P(f) on f in [sqrt(1/2) - 1, sqrt(2) - 1].
    private static final float L0 = 3.333333135e-01f, L1 = -2.500030398e-01f, L2 = 2.000119686e-01f,
            L3 = -1.664155573e-01f, L4 = 1.421007067e-01f, L5 = -1.298977733e-01f, L6 = 1.265477985e-01f,
            L7 = -7.971218973e-02f;

    /** log(x): x = m 2^e with m in [sqrt(1/2), sqrt(2)), log(m) by a polynomial in m - 1. */
    static void log(MemorySegment in, long inAt, MemorySegment out, long outAt, long n) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            FloatVector x = FloatVector.fromMemorySegment(Simd.F, in, inAt + i, Simd.ORDER);
            VectorMask<Float> tiny = x.compare(LT, MIN_NORMAL);
            FloatVector xn = x.blend(x.mul(TWO_23), tiny);
            IntVector bits = xn.reinterpretAsInts();
            FloatVector e = ((FloatVector) bits.lanewise(LSHR, 23).sub(127).convert(I2F, 0));
            e = e.blend(e.sub(23f), tiny);
            FloatVector m = bits.and(0x007FFFFF).or(0x3F800000).reinterpretAsFloats();
            VectorMask<Float> high = m.compare(GT, SQRT2);
            m = m.blend(m.mul(0.5f), high);
            e = e.blend(e.add(1f), high);
            FloatVector f = m.sub(1f);
            FloatVector p = f.fma(L7, L6).fma(f, FloatVector.broadcast(Simd.F, L5)).fma(f, FloatVector.broadcast(Simd.F, L4)).fma(f, FloatVector.broadcast(Simd.F, L3)).fma(f, FloatVector.broadcast(Simd.F, L2))
                    .fma(f, FloatVector.broadcast(Simd.F, L1)).fma(f, FloatVector.broadcast(Simd.F, L0));
            FloatVector r = f.mul(f).fma(f.fma(p, FloatVector.broadcast(Simd.F, -0.5f)), f);
            FloatVector y = e.fma(FloatVector.broadcast(Simd.F, LN2_HI), e.fma(FloatVector.broadcast(Simd.F, LN2_LO), r));
            y = y.blend(Float.NEGATIVE_INFINITY, x.compare(EQ, 0f));
            y = y.blend(Float.NaN, x.compare(LT, 0f));
            (y.blend(x, x.compare(EQ, Float.POSITIVE_INFINITY).or(x.test(IS_NAN)))).intoMemorySegment(out, outAt + i, Simd.ORDER);
        }
        for (; i < n * 4; i += 4) {
            out.set(Staging.FLOAT, outAt + i, log(in.get(Staging.FLOAT, inAt + i)));
        }
    }

    static float log(float x) {
        if (x == 0f) {
            return Float.NEGATIVE_INFINITY;
        }
        if (x < 0f) {
            return Float.NaN;
        }
        if (x == Float.POSITIVE_INFINITY || Float.isNaN(x)) {
            return x;
        }
        boolean tiny = x < MIN_NORMAL;
        float xn = tiny ? x * TWO_23 : x;
        int bits = Float.floatToRawIntBits(xn);
        float e = (float) ((bits >>> 23) - 127);
        if (tiny) {
            e = e - 23f;
        }
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);
        if (m > SQRT2) {
            m = m * 0.5f;
            e = e + 1f;
        }
        float f = m - 1f;
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(f, L7, L6), f, L5), f, L4), f, L3),
                f, L2), f, L1), f, L0);
        float r = Math.fma(f * f, Math.fma(f, p, -0.5f), f);
        return Math.fma(e, LN2_HI, Math.fma(e, LN2_LO, r));
    }

    // ---------------------------------------------------------------- tanh, sigmoid, silu

    /** Below this |x| tanh is an odd polynomial; above, 1 - 2 / (e^2|x| + 1). */
    private static final float TANH_SMALL = 0.625f;
    private static final float T0 = -3.333332837e-01f, T1 = 1.333277225e-01f, T2 = -5.385115370e-02f,
            T3 = 2.099804021e-02f, T4 = -6.097718608e-03f;
    private static final int SIGN = 0x80000000;

    static void tanh(MemorySegment in, long inAt, MemorySegment out, long outAt, long n) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            FloatVector x = FloatVector.fromMemorySegment(Simd.F, in, inAt + i, Simd.ORDER);
            FloatVector a = x.abs();
            FloatVector x2 = x.mul(x);
            FloatVector p = x2.fma(T4, T3).fma(x2, FloatVector.broadcast(Simd.F, T2)).fma(x2, FloatVector.broadcast(Simd.F, T1)).fma(x2, FloatVector.broadcast(Simd.F, T0));
            FloatVector small = x.mul(x2).fma(p, x);
            FloatVector e = exp(a.add(a));
            FloatVector large = FloatVector.broadcast(Simd.F, 1f).sub(FloatVector.broadcast(Simd.F, 2f).div(e.add(1f)));
            large = large.reinterpretAsInts().or(x.reinterpretAsInts().and(SIGN)).reinterpretAsFloats();
            (large.blend(small, a.compare(LT, TANH_SMALL))).intoMemorySegment(out, outAt + i, Simd.ORDER);
        }
        for (; i < n * 4; i += 4) {
            out.set(Staging.FLOAT, outAt + i, tanh(in.get(Staging.FLOAT, inAt + i)));
        }
    }

    static float tanh(float x) {
        float a = Math.abs(x);
        if (a < TANH_SMALL) {
            float x2 = x * x;
            float p = Math.fma(Math.fma(Math.fma(Math.fma(x2, T4, T3), x2, T2), x2, T1), x2, T0);
            return Math.fma(x * x2, p, x);
        }
        float large = 1f - 2f / (exp(a + a) + 1f);
        return Float.intBitsToFloat(Float.floatToRawIntBits(large) | (Float.floatToRawIntBits(x) & SIGN));
    }

    /**
     * 1 / (1 + e^-x) as {@code (x >= 0 ? 1 : e) / (1 + e)} with {@code e = e^-|x|}: e never overflows,
     * and for negative x the result keeps its full relative accuracy down to the smallest floats.
     */
    static void sigmoid(MemorySegment in, long inAt, MemorySegment out, long outAt, long n) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            FloatVector x = FloatVector.fromMemorySegment(Simd.F, in, inAt + i, Simd.ORDER);
            FloatVector e = exp(x.abs().neg());
            (FloatVector.broadcast(Simd.F, 1f).blend(e, x.compare(GE, 0f).not()).div(e.add(1f))).intoMemorySegment(out, outAt + i, Simd.ORDER);
        }
        for (; i < n * 4; i += 4) {
            out.set(Staging.FLOAT, outAt + i, sigmoid(in.get(Staging.FLOAT, inAt + i)));
        }
    }

    static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        return (x >= 0f ? 1f : e) / (e + 1f);
    }

    /** x * sigmoid(x), with one rounding less: {@code x * (x >= 0 ? 1 : e) / (1 + e)}. */
    static void silu(MemorySegment in, long inAt, MemorySegment out, long outAt, long n) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            FloatVector x = FloatVector.fromMemorySegment(Simd.F, in, inAt + i, Simd.ORDER);
            FloatVector e = exp(x.abs().neg());
            (x.mul(FloatVector.broadcast(Simd.F, 1f).blend(e, x.compare(GE, 0f).not())).div(e.add(1f))).intoMemorySegment(out, outAt + i, Simd.ORDER);
        }
        for (; i < n * 4; i += 4) {
            out.set(Staging.FLOAT, outAt + i, silu(in.get(Staging.FLOAT, inAt + i)));
        }
    }

    static float silu(float x) {
        float e = exp(-Math.abs(x));
        return x * (x >= 0f ? 1f : e) / (e + 1f);
    }

    // ---------------------------------------------------------------- gelu

    /** 2 sqrt(2/pi) and 2 sqrt(2/pi) 0.044715: gelu_tanh(x) = x sigmoid(z), z = x (G1 + G3 x^2). */
    private static final float G1 = 1.59576912f;
    private static final float G3 = 0.0713548163f;

    /** 0.5 x (1 + tanh(u)) written as x sigmoid(2u), which has no cancellation for negative x. */
    static void geluTanh(MemorySegment in, long inAt, MemorySegment out, long outAt, long n) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            FloatVector x = FloatVector.fromMemorySegment(Simd.F, in, inAt + i, Simd.ORDER);
            FloatVector z = x.mul(x.mul(x).fma(G3, G1));
            FloatVector e = exp(z.abs().neg());
            (x.mul(FloatVector.broadcast(Simd.F, 1f).blend(e, z.compare(GE, 0f).not())).div(e.add(1f))).intoMemorySegment(out, outAt + i, Simd.ORDER);
        }
        for (; i < n * 4; i += 4) {
            out.set(Staging.FLOAT, outAt + i, geluTanh(in.get(Staging.FLOAT, inAt + i)));
        }
    }

    static float geluTanh(float x) {
        float z = x * Math.fma(x * x, G3, G1);
        float e = exp(-Math.abs(z));
        return x * (z >= 0f ? 1f : e) / (e + 1f);
    }

    /**
     * Beyond this |x| the tail Phi(-|x|) rounds to 0. Below it -x^2/2 >= -103.7, so the inline exp of
     * geluErf needs no clamps and 2^n stays within [2^-150, 1].
     */
    private static final float PHI_CLAMP = 14.4f;
    /**
     * -2^-24: the tail's 2^n is applied as 2^(n + 24), normal for every n, times 2^-24 folded into Q0-Q8,
     * and so is the sign: the kernel adds -|x| Phi(-|x|) to max(x, 0) by one fma.
     */
    private static final float TAIL_SCALE = -0x1p-24f;
    // Phi(-t) e^(t^2/2) = w (Q0 + Q1 w + ... + Q8 w^8) with w = 1 / (1 + 0.346 t), t in [0, 14.4]:
    // 0.6 ulp of relative error with these float coefficients (each multiplied by TAIL_SCALE, exactly).
    private static final float QW = 0.346f;
    private static final float Q0 = 1.380198598e-01f * TAIL_SCALE, Q1 = 1.383868605e-01f * TAIL_SCALE,
            Q2 = 1.177704781e-01f * TAIL_SCALE, Q3 = 1.105234697e-01f * TAIL_SCALE, Q4 = -3.471437097e-02f * TAIL_SCALE,
            Q5 = 1.817669272e-01f * TAIL_SCALE, Q6 = -2.683818042e-01f * TAIL_SCALE, Q7 = 1.452028602e-01f * TAIL_SCALE,
            Q8 = -2.857429348e-02f * TAIL_SCALE;

    /**
     * x Phi(x), Phi the standard normal CDF (= 0.5 x (1 + erf(x / sqrt 2))), by one formula for every
     * x (no branches to evaluate and blend): with t = |x|, Phi(-t) = e^(-t^2/2) w Q(w) keeps full
     * relative accuracy in the negative tail, and Phi(t) = 1 - Phi(-t) needs only absolute accuracy.
     * -t^2/2 is split into two floats (y + ylo) and e^(y + ylo) computed inline as exp does, with the
     * low part added to the reduced argument; its 2^n is applied as 2^(n + 24), and the 2^-24 sits in Q.
     * w is corrected by one Newton step for the rounding of 1 + 0.346 t and of the division (near t = 0
     * Phi is twice as sensitive to w as to x). The result x Phi(x) = max(x, 0) - t Phi(-t) is one fma,
     * so that it rounds once, also where it is subnormal; max(x, 0) is x 0 for x < 0: -0, or NaN at -inf.
     */
    static void geluErf(MemorySegment in, long inAt, MemorySegment out, long outAt, long n) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            FloatVector x = FloatVector.fromMemorySegment(Simd.F, in, inAt + i, Simd.ORDER);
            FloatVector t = x.abs().min(PHI_CLAMP);
            FloatVector u = t.mul(-0.5f);
            FloatVector y = u.mul(t);
            FloatVector ylo = u.fma(t, y.neg());
            FloatVector k = y.fma(LOG2E, ROUND_MAGIC);
            FloatVector nf = k.sub(ROUND_MAGIC);
            FloatVector r = nf.fma(FloatVector.broadcast(Simd.F, NEG_LN2_HI), y);
            r = nf.fma(FloatVector.broadcast(Simd.F, NEG_LN2_LO), r).add(ylo);
            FloatVector p = r.fma(E4, E3).fma(r, FloatVector.broadcast(Simd.F, E2)).fma(r, FloatVector.broadcast(Simd.F, E1)).fma(r, FloatVector.broadcast(Simd.F, E0));
            FloatVector em1 = r.mul(r).fma(p, r);
            FloatVector nd = t.fma(-QW, -1f);
            FloatVector w0 = FloatVector.broadcast(Simd.F, -1f).div(nd);
            FloatVector ndlo = t.fma(FloatVector.broadcast(Simd.F, -QW), FloatVector.broadcast(Simd.F, -1f).sub(nd));
            // w = w0 (1 + e), e = 1 - w0 (1 + 0.346 t) from the exact residuals of the division (w0 nd + 1)
            // and of the rounded denominator (ndlo: d - 1 is exact).
            FloatVector w = w0.fma(w0.fma(ndlo, w0.fma(nd, FloatVector.broadcast(Simd.F, 1f))), w0);
            FloatVector q = w.fma(Q8, Q7).fma(w, FloatVector.broadcast(Simd.F, Q6)).fma(w, FloatVector.broadcast(Simd.F, Q5)).fma(w, FloatVector.broadcast(Simd.F, Q4)).fma(w, FloatVector.broadcast(Simd.F, Q3))
                    .fma(w, FloatVector.broadcast(Simd.F, Q2)).fma(w, FloatVector.broadcast(Simd.F, Q1)).fma(w, FloatVector.broadcast(Simd.F, Q0));
            FloatVector scale = k.reinterpretAsInts().sub(ROUND_MAGIC_BITS - 127 - 24).lanewise(LSHL, 23).reinterpretAsFloats();
            em1.fma(w, w).mul(scale).mul(t).fma(q, x.mul(0f).blend(x, x.compare(GE, 0f))).intoMemorySegment(out, outAt + i, Simd.ORDER);
        }
        for (; i < n * 4; i += 4) {
            out.set(Staging.FLOAT, outAt + i, geluErf(in.get(Staging.FLOAT, inAt + i)));
        }
    }

    static float geluErf(float x) {
        float t = Math.min(Math.abs(x), PHI_CLAMP);
        float u = t * -0.5f;
        float y = u * t;
        float ylo = Math.fma(u, t, -y);
        float k = Math.fma(y, LOG2E, ROUND_MAGIC);
        float nf = k - ROUND_MAGIC;
        float r = Math.fma(nf, NEG_LN2_HI, y);
        r = Math.fma(nf, NEG_LN2_LO, r) + ylo;
        float p = Math.fma(Math.fma(Math.fma(Math.fma(r, E4, E3), r, E2), r, E1), r, E0);
        float em1 = Math.fma(r * r, p, r);
        float nd = Math.fma(t, -QW, -1f);
        float w0 = -1f / nd;
        float w = Math.fma(w0, Math.fma(w0, Math.fma(t, -QW, -1f - nd), Math.fma(w0, nd, 1f)), w0);
        float q = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(w, Q8, Q7), w, Q6), w, Q5),
                w, Q4), w, Q3), w, Q2), w, Q1), w, Q0);
        float scale = Float.intBitsToFloat((Float.floatToRawIntBits(k) - (ROUND_MAGIC_BITS - 127 - 24)) << 23);
        return Math.fma(Math.fma(em1, w, w) * scale * t, q, x >= 0f ? x : x * 0f);
    }

    // ---------------------------------------------------------------- sin, cos

    private static final float TWO_OVER_PI = 0.636619772f;
    // pi/2 = PIO2_1 + PIO2_2 + PIO2_3 (to about 2^-70); with fma the first step is exact.
    private static final float NEG_PIO2_1 = -1.570796371e+00f;
    private static final float NEG_PIO2_2 = 4.371138829e-08f;
    private static final float NEG_PIO2_3 = 1.715124510e-15f;
    /** Beyond this |x| the three-part reduction loses accuracy; such lanes use Math.sin/cos in double. */
    static final float TRIG_LIMIT = 65536f;
    private static final float S0 = -1.666666716e-01f, S1 = 8.333331905e-03f, S2 = -1.984008413e-04f,
            S3 = 2.724957085e-06f;
    private static final float C0 = 4.166666418e-02f, C1 = -1.388852834e-03f, C2 = 2.464662975e-05f,
            C3 = -1.073821707e-07f;

    static void sin(MemorySegment in, long inAt, MemorySegment out, long outAt, long n) {
        sinCos(in, inAt, out, outAt, n, 0);
    }

    static void cos(MemorySegment in, long inAt, MemorySegment out, long outAt, long n) {
        sinCos(in, inAt, out, outAt, n, 1);
    }

    static float sin(float x) {
        return Math.abs(x) > TRIG_LIMIT ? (float) Math.sin(x) : sinCos(x, 0);
    }

    static float cos(float x) {
        return Math.abs(x) > TRIG_LIMIT ? (float) Math.cos(x) : sinCos(x, 1);
    }

    /**
     * x = k pi/2 + r with |r| <= pi/4; the quadrant (k + shift) mod 4 picks sin r or cos r and the
     * sign. shift 0 gives sin x, shift 1 gives cos x = sin(x + pi/2).
     */
    private static void sinCos(MemorySegment in, long inAt, MemorySegment out, long outAt, long n, int shift) {
        long i = 0;
        for (long end = Simd.bound(n) * 4; i < end; i += STEP) {
            FloatVector x = FloatVector.fromMemorySegment(Simd.F, in, inAt + i, Simd.ORDER);
            FloatVector t = x.fma(TWO_OVER_PI, ROUND_MAGIC);
            FloatVector k = t.sub(ROUND_MAGIC);
            IntVector q = t.reinterpretAsInts().add(shift);
            FloatVector r = k.fma(FloatVector.broadcast(Simd.F, NEG_PIO2_1), x);
            r = k.fma(FloatVector.broadcast(Simd.F, NEG_PIO2_2), r);
            r = k.fma(FloatVector.broadcast(Simd.F, NEG_PIO2_3), r);
            FloatVector r2 = r.mul(r);
            FloatVector sp = r2.fma(S3, S2).fma(r2, FloatVector.broadcast(Simd.F, S1)).fma(r2, FloatVector.broadcast(Simd.F, S0));
            FloatVector s = r.mul(r2).fma(sp, r);
            FloatVector cp = r2.fma(C3, C2).fma(r2, FloatVector.broadcast(Simd.F, C1)).fma(r2, FloatVector.broadcast(Simd.F, C0));
            FloatVector c = r2.mul(r2).fma(cp, r2.fma(-0.5f, 1f));
            FloatVector y = s.blend(c, q.and(1).compare(NE, 0).cast(x.species()));
            y = y.reinterpretAsInts().lanewise(XOR, q.and(2).lanewise(LSHL, 30))
                    .reinterpretAsFloats();
            VectorMask<Float> large = x.abs().compare(GT, TRIG_LIMIT);
            if (large.anyTrue()) {
                for (int lane = 0; lane < x.length(); lane++) {
                    if (large.laneIsSet(lane)) {
                        double v = x.lane(lane);
                        y = y.withLane(lane, (float) (shift == 0 ? Math.sin(v) : Math.cos(v)));
                    }
                }
            }
            y.intoMemorySegment(out, outAt + i, Simd.ORDER);
        }
        for (; i < n * 4; i += 4) {
            float v = in.get(Staging.FLOAT, inAt + i);
            out.set(Staging.FLOAT, outAt + i, shift == 0 ? sin(v) : cos(v));
        }
    }


    private static float sinCos(float x, int shift) {
        float t = Math.fma(x, TWO_OVER_PI, ROUND_MAGIC);
        float n = t - ROUND_MAGIC;
        int q = Float.floatToRawIntBits(t) + shift;
        float r = Math.fma(n, NEG_PIO2_1, x);
        r = Math.fma(n, NEG_PIO2_2, r);
        r = Math.fma(n, NEG_PIO2_3, r);
        float r2 = r * r;
        float sp = Math.fma(Math.fma(Math.fma(r2, S3, S2), r2, S1), r2, S0);
        float s = Math.fma(r * r2, sp, r);
        float cp = Math.fma(Math.fma(Math.fma(r2, C3, C2), r2, C1), r2, C0);
        float c = Math.fma(r2 * r2, cp, Math.fma(r2, -0.5f, 1f));
        float y = (q & 1) != 0 ? c : s;
        return Float.intBitsToFloat(Float.floatToRawIntBits(y) ^ ((q & 2) << 30));
    }
}
