package dev.tessera.tests.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

/**
 * Flash attention (forward and gradient kernel, cpu and reference backends) against the
 * materialised textbook formula in double ({@link NaiveAttention}), over random shapes: grouped kv
 * heads, sequence lengths 1..300 either way round and off the block size of 64, head dims 16..128,
 * causal or not, masks broadcast with stride 0. Then the numerical edge cases of REFERENCE.md §7:
 * rows that see no key (out 0, lse +infinity, zero gradients, no NaN), scores of 1e4 whose running
 * max jumps between blocks (the rescale factor underflows to 0), a central-difference check of the
 * F64 gradients through autograd.
 */
class AttentionPropertiesTest {
    /** F32 against double: the scores carry D-term rounding, the softmax and sums a few eps per term; norm-wise. */
    private static final double F32_TOLERANCE = 2e-5;
    private static final double F64_TOLERANCE = 1e-11;

    /** One drawn problem: sizes, values (row-major [B, H, N, D]), the mask as drawn and broadcast, and the options. */
    private record Problem(NaiveAttention.Sizes z, double[] q, double[] k, double[] v, long[] maskShape, double[] maskValues,
            double scale, boolean causal, double[] gradOut, boolean transposed) {
        long[] scoreShape() {
            return new long[] {z.batch(), z.heads(), z.queries(), z.keys()};
        }

        /** The mask broadcast to [B, H, Nq, Nk], as the naive formula reads it. */
        double[] fullMask() {
            if (maskShape == null) {
                return null;
            }
            return Tensor.of(maskValues).view(maskShape).expand(scoreShape()).contiguous().toDoubleArray();
        }

        NaiveAttention naive() {
            return NaiveAttention.compute(z, q, k, v, fullMask(), scale, causal, gradOut);
        }

        /** out, lse, dq, dk, dv on the device in the dtype, as flat doubles. */
        double[][] run(DType dtype, Device device) {
            Tensor tq = build(q, z.heads(), z.queries(), z.headDim(), dtype, device);
            Tensor tk = build(k, z.kvHeads(), z.keys(), z.headDim(), dtype, device);
            Tensor tv = build(v, z.kvHeads(), z.keys(), z.valueDim(), dtype, device);
            Tensor tg = build(gradOut, z.heads(), z.queries(), z.valueDim(), dtype, device);
            Tensor mask = maskShape == null ? null : Tensor.of(maskValues).view(maskShape).to(dtype).to(device);
            Tensor out = Tensor.empty(dtype, device, z.batch(), z.heads(), z.queries(), z.valueDim());
            Tensor lse = Tensor.empty(dtype == DType.F64 ? DType.F64 : DType.F32, device, z.batch(), z.heads(), z.queries());
            device.backend().attention(tq, tk, tv, mask == null ? null : mask.expand(scoreShape()), scale, causal, out, lse);
            assertArraysEqual(out, Fused.attention(tq, tk, tv, mask, scale, causal));
            Tensor[] grads = Fused.attentionBackward(tg, tq, tk, tv, mask, out, lse, scale, causal);
            return new double[][] {out.toDoubleArray(), lse.toDoubleArray(), grads[0].toDoubleArray(),
                    grads[1].toDoubleArray(), grads[2].toDoubleArray()};
        }

        /** [B, heads, n, d] values, as a contiguous tensor or as a [B, n, heads, d] one transposed into that shape. */
        private Tensor build(double[] values, int heads, int n, int d, DType dtype, Device device) {
            if (!transposed) {
                return Tensor.of(values).view(z.batch(), heads, n, d).to(dtype).to(device);
            }
            Tensor seqMajor = Tensor.of(values).view(z.batch(), heads, n, d).transpose(1, 2).contiguous();
            return seqMajor.to(dtype).to(device).transpose(1, 2);
        }

        @Override
        public String toString() {
            return z + " scale " + scale + " causal " + causal + " mask " + (maskShape == null ? "none" : Arrays.toString(maskShape))
                    + (transposed ? " transposed" : "");
        }
    }

    private static final String[] OUTPUTS = {"out", "lse", "dq", "dk", "dv"};

    @Property(tries = 40, shrinking = ShrinkingMode.OFF)
    void cpuMatchesTheMaterialisedFormula(@ForAll long seed) {
        Random r = new Random(seed);
        Problem p = draw(r, r.nextInt(8) == 0 ? 300 : 130, r.nextInt(8) == 0 ? 128 : 40);
        NaiveAttention want = p.naive();
        compare(p, want, p.run(DType.F32, Device.cpu()), F32_TOLERANCE);
        compare(p, want, p.run(DType.F64, Device.cpu()), F64_TOLERANCE);
    }

    @Property(tries = 15, shrinking = ShrinkingMode.OFF)
    void referenceMatchesTheMaterialisedFormula(@ForAll long seed) {
        Random r = new Random(seed);
        Problem p = draw(r, 70, 20);
        compare(p, p.naive(), p.run(DType.F64, Device.reference()), F64_TOLERANCE);
    }

    /** Causal with Nq > Nk (the first Nq - Nk rows see nothing) and mask rows of -infinity. */
    @Property(tries = 12, shrinking = ShrinkingMode.OFF)
    void rowsThatSeeNoKeyGiveZerosAndInfiniteLse(@ForAll long seed) {
        Random r = new Random(seed);
        int keys = 1 + r.nextInt(70);
        int queries = keys + 1 + r.nextInt(70);
        NaiveAttention.Sizes z = new NaiveAttention.Sizes(1, 2, 1, queries, keys, 16, 16);
        double[] mask = new double[queries * keys];
        boolean[] hidden = new boolean[queries];
        for (int row = 0; row < queries; row++) {
            hidden[row] = row < queries - keys || r.nextInt(5) == 0;
            for (int c = 0; c < keys; c++) {
                mask[row * keys + c] = r.nextInt(5) == 0 && row >= queries - keys ? Double.NEGATIVE_INFINITY : 0;
            }
            if (r.nextInt(5) == 0) {
                Arrays.fill(mask, row * keys, (row + 1) * keys, Double.NEGATIVE_INFINITY);
                hidden[row] = true;
            }
        }
        // Rows whose visible keys are all masked are hidden too.
        for (int row = queries - keys; row < queries; row++) {
            boolean any = false;
            for (int c = 0; c <= row - (queries - keys); c++) {
                any |= mask[row * keys + c] != Double.NEGATIVE_INFINITY;
            }
            hidden[row] = !any;
        }
        Problem p = new Problem(z, values(r, 2 * queries * 16), values(r, keys * 16), values(r, keys * 16),
                new long[] {queries, keys}, mask, 0.25, true, values(r, 2 * queries * 16), r.nextBoolean());
        for (DType dtype : new DType[] {DType.F32, DType.F64, DType.BF16}) {
            for (Device device : new Device[] {Device.cpu(), Device.reference()}) {
                double[][] got = p.run(dtype, device);
                for (double[] output : got) {
                    for (double x : output) {
                        assertTrue(!Double.isNaN(x), p + " " + dtype + " on " + device + ": NaN");
                    }
                }
                for (int h = 0; h < 2; h++) {
                    for (int row = 0; row < queries; row++) {
                        if (!hidden[row]) {
                            continue;
                        }
                        int at = h * queries + row;
                        assertEquals(Double.POSITIVE_INFINITY, got[1][at], p + " lse of hidden row " + row);
                        for (int e = 0; e < 16; e++) {
                            assertEquals(0.0, got[0][at * 16 + e], p + " out of hidden row " + row);
                            assertEquals(0.0, got[2][at * 16 + e], p + " dq of hidden row " + row);
                        }
                    }
                }
                if (dtype != DType.BF16) {
                    compare(p, p.naive(), got, dtype == DType.F64 ? F64_TOLERANCE : F32_TOLERANCE);
                }
            }
        }
    }

    /**
     * Scores of size 1e4 that the online softmax must shift: integer q and k with a power-of-two scale
     * keep every score exact in F32, and keys in the first block score about -2e3 while later keys
     * score up to 1e4, so the accumulator's rescale factor exp(m_old - m_new) underflows to 0.
     */
    @Property(tries = 10, shrinking = ShrinkingMode.OFF)
    void hugeScoresAndAnUnderflowingRescaleMatchTheFormula(@ForAll long seed) {
        Random r = new Random(seed);
        int queries = 1 + r.nextInt(100);
        int keys = 65 + r.nextInt(150);
        int d = 16;
        double[] q = new double[queries * d];
        double[] k = new double[keys * d];
        for (int i = 0; i < q.length; i++) {
            q[i] = 1 + r.nextInt(3);
        }
        for (int c = 0; c < keys; c++) {
            for (int e = 0; e < d; e++) {
                k[c * d + e] = (c < 64 ? -1 : 1) * (1 + r.nextInt(3));
            }
        }
        NaiveAttention.Sizes z = new NaiveAttention.Sizes(1, 1, 1, queries, keys, d, d);
        Problem p = new Problem(z, q, k, values(r, keys * d), null, null, 16, r.nextBoolean(), values(r, queries * d), false);
        NaiveAttention want = p.naive();
        double[][] f32 = p.run(DType.F32, Device.cpu());
        compare(p, want, new double[][] {f32[0], f32[1]}, F32_TOLERANCE);
        // The backward rebuilds P = exp(S - L) from an F32 L of about 1e4, whose ulp is 1e-3: P, and so
        // the gradients, carry that relative error whatever the kernel does.
        compare(p, want, f32, 2e-3);
        compare(p, want, p.run(DType.F64, Device.cpu()), F64_TOLERANCE);
    }

    /** dq, dk, dv in F64 through autograd on the cpu backend against central differences of sum(out * w). */
    @Property(tries = 8, shrinking = ShrinkingMode.OFF)
    void f64GradientsThroughAutogradMatchCentralDifferences(@ForAll long seed) {
        Random r = new Random(seed);
        Problem p = draw(r, 9, 4);
        NaiveAttention.Sizes z = p.z();
        double[] w = values(r, z.batch() * z.heads() * z.queries() * z.valueDim());
        double[][] inputs = {p.q().clone(), p.k().clone(), p.v().clone()};
        Tensor[] leaves = new Tensor[3];
        leaves[0] = Tensor.of(inputs[0]).view(z.batch(), z.heads(), z.queries(), z.headDim()).requiresGrad(true);
        leaves[1] = Tensor.of(inputs[1]).view(z.batch(), z.kvHeads(), z.keys(), z.headDim()).requiresGrad(true);
        leaves[2] = Tensor.of(inputs[2]).view(z.batch(), z.kvHeads(), z.keys(), z.valueDim()).requiresGrad(true);
        Tensor mask = p.maskShape() == null ? null : Tensor.of(p.maskValues()).view(p.maskShape());
        Tensor weights = Tensor.of(w).view(z.batch(), z.heads(), z.queries(), z.valueDim());
        Fused.attention(leaves[0], leaves[1], leaves[2], mask, p.scale(), p.causal()).mul(weights).sum().backward();
        for (int i = 0; i < 3; i++) {
            double[] analytic = leaves[i].grad().toDoubleArray();
            for (int e = 0; e < inputs[i].length; e++) {
                double saved = inputs[i][e];
                double h = 1e-6;
                inputs[i][e] = saved + h;
                double plus = loss(p, inputs, mask, weights);
                inputs[i][e] = saved - h;
                double minus = loss(p, inputs, mask, weights);
                inputs[i][e] = saved;
                double numeric = (plus - minus) / (2 * h);
                assertTrue(Math.abs(analytic[e] - numeric) <= 1e-6 * Math.max(1, Math.abs(numeric)),
                        p + ": " + OUTPUTS[2 + i] + "[" + e + "] is " + analytic[e] + ", central differences give " + numeric);
            }
        }
    }

    private static double loss(Problem p, double[][] inputs, Tensor mask, Tensor weights) {
        NaiveAttention.Sizes z = p.z();
        Tensor q = Tensor.of(inputs[0]).view(z.batch(), z.heads(), z.queries(), z.headDim());
        Tensor k = Tensor.of(inputs[1]).view(z.batch(), z.kvHeads(), z.keys(), z.headDim());
        Tensor v = Tensor.of(inputs[2]).view(z.batch(), z.kvHeads(), z.keys(), z.valueDim());
        return Fused.attention(q, k, v, mask, p.scale(), p.causal()).mul(weights).sum().item();
    }

    /** A random problem with sequence lengths up to {@code maxLength} and head dims up to {@code maxDim}. */
    private static Problem draw(Random r, int maxLength, int maxDim) {
        int kvHeads = 1 + r.nextInt(2);
        int heads = kvHeads * (1 + r.nextInt(3));
        int batch = maxLength > 200 ? 1 : 1 + r.nextInt(2);
        int queries = length(r, maxLength);
        int keys = r.nextInt(4) == 0 ? queries : length(r, maxLength);
        int headDim = maxDim < 16 ? 1 + r.nextInt(maxDim) : 16 + r.nextInt(maxDim - 15);
        int valueDim = r.nextBoolean() ? headDim : Math.max(1, headDim / 2 + r.nextInt(9));
        NaiveAttention.Sizes z = new NaiveAttention.Sizes(batch, heads, kvHeads, queries, keys, headDim, valueDim);
        long[] maskShape = null;
        double[] maskValues = null;
        if (r.nextBoolean()) {
            maskShape = switch (r.nextInt(3)) {
                case 0 -> new long[] {queries, keys};
                case 1 -> new long[] {batch, 1, 1, keys};
                default -> new long[] {batch, heads, queries, keys};
            };
            maskValues = new double[Math.toIntExact(Arrays.stream(maskShape).reduce(1, (a, b) -> a * b))];
            for (int i = 0; i < maskValues.length; i++) {
                maskValues[i] = r.nextInt(10) == 0 ? Double.NEGATIVE_INFINITY : 2 * r.nextDouble() - 1;
            }
        }
        double scale = 1 / Math.sqrt(headDim) * (0.5 + r.nextDouble());
        return new Problem(z, values(r, batch * heads * queries * headDim), values(r, batch * kvHeads * keys * headDim),
                values(r, batch * kvHeads * keys * valueDim), maskShape, maskValues, scale, r.nextBoolean(),
                values(r, batch * heads * queries * valueDim), r.nextBoolean());
    }

    /** 1..max, often next to a multiple of the block size (64). */
    private static int length(Random r, int max) {
        if (r.nextBoolean()) {
            int near = 64 * (1 + r.nextInt(Math.max(1, max / 64))) + r.nextInt(3) - 1;
            return Math.max(1, Math.min(max, near));
        }
        return 1 + r.nextInt(max);
    }

    private static double[] values(Random r, int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = 2 * r.nextDouble() - 1;
        }
        return values;
    }

    /**
     * Each output {@code got} holds (out, lse, then dq, dk, dv) within tolerance times its largest
     * magnitude (at least 1); infinities (lse of hidden rows) equal.
     */
    private static void compare(Problem p, NaiveAttention want, double[][] got, double tolerance) {
        double[][] expected = {want.out(), want.lse(), want.gradQ(), want.gradK(), want.gradV()};
        for (int o = 0; o < got.length; o++) {
            double[] w = expected[o];
            double[] g = got[o];
            assertEquals(w.length, g.length, p + ": " + OUTPUTS[o] + " size");
            double size = 1;
            for (double x : w) {
                size = Double.isInfinite(x) ? size : Math.max(size, Math.abs(x));
            }
            for (int i = 0; i < w.length; i++) {
                boolean ok = Double.isInfinite(w[i]) ? w[i] == g[i] : Math.abs(w[i] - g[i]) <= tolerance * size;
                if (!ok) {
                    throw new AssertionError(p + ": " + OUTPUTS[o] + "[" + i + "] is " + g[i] + ", the formula gives " + w[i]);
                }
            }
        }
    }

    private static void assertArraysEqual(Tensor a, Tensor b) {
        assertTrue(Arrays.equals(a.toDoubleArray(), b.toDoubleArray()), "the backend and Fused.attention disagree");
    }
}
