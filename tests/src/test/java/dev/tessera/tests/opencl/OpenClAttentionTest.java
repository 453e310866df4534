package dev.tessera.tests.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The opencl attention kernels against the reference where the OpInfo cases do not reach: lengths
 * around and past the 64-row blocks (1, 63, 64, 65, 130, 300), Nq != Nk both ways under causal
 * bottom-right alignment, grouped-query heads, broadcast masks, rows that see no key, head dims 128
 * and 192 != 128 (MLA), [B, N, H, D] views, F64; and that the backward gives the same bits twice.
 * Tolerances are those of OpInfosAttention: (r + p n)(1 + |want|) with r = 16 eps, p = 4 eps and
 * n = D + Nk for the forward, r = 32 eps, p = 8 eps and n = Nq + D + Nk for the gradients.
 */
@ExtendWith(OpenClAvailable.class)
class OpenClAttentionTest {
    private static final double EPS = 0x1p-23;

    /** How a case masks: not at all, a [B, 1, 1, Nk] key padding, a [1, 1, Nq, 1] mask hiding rows, or a full one. */
    enum Mask { NONE, KEY_PADDING, HIDDEN_ROWS, FULL }

    /** q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv]; transposed draws [B, N, H, D] and transposes it. */
    record Problem(DType dtype, int batch, int heads, int kvHeads, int nq, int nk, int d, int dv, boolean causal,
            Mask mask, boolean transposed) {
        double scale() {
            return 1 / Math.sqrt(d);
        }
    }

    static Stream<Problem> problems() {
        return Stream.of(
                new Problem(DType.F32, 1, 2, 2, 1, 1, 16, 16, false, Mask.NONE, false),
                new Problem(DType.F32, 1, 2, 2, 63, 63, 32, 32, true, Mask.NONE, false),
                new Problem(DType.F32, 2, 2, 1, 64, 64, 16, 16, true, Mask.KEY_PADDING, true),
                new Problem(DType.F32, 1, 4, 2, 65, 65, 17, 24, false, Mask.FULL, false),
                new Problem(DType.F32, 1, 2, 2, 300, 300, 64, 64, true, Mask.NONE, false),
                new Problem(DType.F32, 1, 4, 1, 100, 300, 32, 32, true, Mask.KEY_PADDING, true),
                new Problem(DType.F32, 1, 2, 2, 300, 100, 32, 32, true, Mask.NONE, false),
                new Problem(DType.F32, 1, 2, 1, 130, 70, 128, 128, false, Mask.FULL, false),
                new Problem(DType.F32, 1, 1, 1, 65, 129, 192, 128, true, Mask.HIDDEN_ROWS, false),
                new Problem(DType.F32, 1, 2, 2, 5, 0, 8, 8, false, Mask.NONE, false),
                new Problem(DType.F64, 1, 2, 1, 130, 97, 40, 33, true, Mask.FULL, true));
    }

    /** The inputs of a problem on one device, drawn from one seed so that every device gets the same values. */
    private record Inputs(Tensor q, Tensor k, Tensor v, Tensor mask, Tensor gradOut) {
        static Inputs of(Problem p, Device device, long seed) {
            Random r = new Random(seed);
            Tensor mask = switch (p.mask) {
                case NONE -> null;
                case KEY_PADDING -> keyPadding(p, r);
                case HIDDEN_ROWS -> hiddenRows(p, r);
                case FULL -> tensor(p.dtype, values(r, p.batch * p.heads * p.nq * p.nk, 2, 0.1),
                        p.batch, p.heads, p.nq, p.nk);
            };
            return new Inputs(heads(p, r, p.heads, p.nq, p.d, device), heads(p, r, p.kvHeads, p.nk, p.d, device),
                    heads(p, r, p.kvHeads, p.nk, p.dv, device), mask == null ? null : mask.to(device),
                    heads(p, r, p.heads, p.nq, p.dv, device));
        }

        private static Tensor heads(Problem p, Random r, int heads, int n, int d, Device device) {
            double[] x = values(r, p.batch * heads * n * d, 1, 0);
            if (!p.transposed) {
                return tensor(p.dtype, x, p.batch, heads, n, d).to(device);
            }
            return tensor(p.dtype, x, p.batch, n, heads, d).to(device).transpose(1, 2);
        }

        /** The last third of each batch's keys hidden (all of them in batch 1 when there are two). */
        private static Tensor keyPadding(Problem p, Random r) {
            double[] x = new double[p.batch * p.nk];
            for (int b = 0; b < p.batch; b++) {
                for (int c = 0; c < p.nk; c++) {
                    boolean hidden = b == 1 || c >= p.nk - p.nk / 3;
                    x[b * p.nk + c] = hidden ? Double.NEGATIVE_INFINITY : r.nextDouble();
                }
            }
            return tensor(p.dtype, x, p.batch, 1, 1, p.nk);
        }

        /** Every fifth query row hidden whole. */
        private static Tensor hiddenRows(Problem p, Random r) {
            double[] x = new double[p.nq];
            for (int i = 0; i < p.nq; i++) {
                x[i] = i % 5 == 3 ? Double.NEGATIVE_INFINITY : r.nextDouble();
            }
            return tensor(p.dtype, x, 1, 1, p.nq, 1);
        }

        /** Uniform in [-size, size), a share {@code hidden} of them -infinity. */
        private static double[] values(Random r, int n, double size, double hidden) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = r.nextDouble() < hidden ? Double.NEGATIVE_INFINITY : size * (2 * r.nextDouble() - 1);
            }
            return x;
        }

        private static Tensor tensor(DType dtype, double[] x, long... shape) {
            return Tensor.of(x, shape).to(dtype);
        }
    }

    /** out and lse through the device's backend (the front end returns only out). */
    private static List<Tensor> forward(Problem p, Inputs in) {
        Device device = in.q.device();
        Tensor out = Tensor.empty(p.dtype, device, p.batch, p.heads, p.nq, p.dv);
        Tensor lse = Tensor.empty(p.dtype == DType.F64 ? DType.F64 : DType.F32, device, p.batch, p.heads, p.nq);
        Tensor mask = in.mask == null ? null : in.mask.expand(p.batch, p.heads, p.nq, p.nk);
        device.backend().attention(in.q, in.k, in.v, mask, p.scale(), p.causal, out, lse);
        return List.of(out, lse);
    }

    private static Tensor[] backward(Problem p, Inputs in, List<Tensor> forward) {
        return Fused.attentionBackward(in.gradOut, in.q, in.k, in.v, in.mask, forward.get(0), forward.get(1), p.scale(),
                p.causal);
    }

    @ParameterizedTest
    @MethodSource("problems")
    void forwardAndGradientsMatchTheReference(Problem p) {
        Inputs want = Inputs.of(p, Device.reference(), 7);
        Inputs got = Inputs.of(p, Device.opencl(), 7);
        List<Tensor> wantForward = forward(p, want);
        List<Tensor> gotForward = forward(p, got);
        double forwardBound = (16 + 4 * (p.d + p.nk)) * EPS;
        assertClose("out", wantForward.get(0), gotForward.get(0), forwardBound);
        assertClose("lse", wantForward.get(1), gotForward.get(1), forwardBound);
        Tensor[] wantGrads = backward(p, want, wantForward);
        Tensor[] gotGrads = backward(p, got, gotForward);
        double backwardBound = (32 + 8 * (p.nq + p.d + p.nk)) * EPS;
        String[] names = {"gradQ", "gradK", "gradV"};
        for (int i = 0; i < 3; i++) {
            assertClose(names[i], wantGrads[i], gotGrads[i], backwardBound);
        }
    }

    /**
     * Rows that see no key, from causal alignment (Nq > Nk: the first Nq - Nk rows) and from a mask
     * row of -infinity, give out 0 and lse +infinity exactly, and a gradQ row of exact zeros.
     */
    @Test
    void rowsThatSeeNoKeyGiveZerosAndInfiniteLse() {
        Problem p = new Problem(DType.F32, 1, 2, 1, 150, 70, 32, 32, true, Mask.HIDDEN_ROWS, false);
        Inputs in = Inputs.of(p, Device.opencl(), 11);
        List<Tensor> forward = forward(p, in);
        float[] out = forward.get(0).toFloatArray();
        float[] lse = forward.get(1).toFloatArray();
        float[] gradQ = backward(p, in, forward)[0].toFloatArray();
        int empty = 0;
        for (int row = 0; row < p.heads * p.nq; row++) {
            int r = row % p.nq;
            boolean sees = r >= p.nq - p.nk && r % 5 != 3;
            assertEquals(!sees, lse[row] == Float.POSITIVE_INFINITY, "lse of row " + row + ": " + lse[row]);
            for (int e = 0; e < p.dv && !sees; e++) {
                assertEquals(0f, out[row * p.dv + e], "out of empty row " + row);
                assertEquals(0f, gradQ[row * p.d + e], "gradQ of empty row " + row);
            }
            empty += sees ? 0 : 1;
        }
        assertTrue(empty > 2 * (p.nq - p.nk), "the case has rows hidden by both causes");
    }

    @Test
    void theSameInputsGiveTheSameBits() {
        Problem p = new Problem(DType.F32, 2, 4, 2, 300, 257, 64, 64, true, Mask.FULL, true);
        Inputs in = Inputs.of(p, Device.opencl(), 3);
        List<Tensor> first = forward(p, in);
        List<Tensor> second = forward(p, in);
        assertArrayEquals(first.get(0).toFloatArray(), second.get(0).toFloatArray(), "out");
        assertArrayEquals(first.get(1).toFloatArray(), second.get(1).toFloatArray(), "lse");
        Tensor[] once = backward(p, in, first);
        Tensor[] twice = backward(p, in, first);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(once[i].toFloatArray(), twice[i].toFloatArray(), "gradient " + i);
        }
    }

    @Test
    void headDimsPastTheLimitAreRefusedWithTheLimit() {
        Problem p = new Problem(DType.F32, 1, 1, 1, 4, 4, 300, 16, false, Mask.NONE, false);
        Inputs in = Inputs.of(p, Device.opencl(), 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fused.attention(in.q, in.k, in.v, null, p.scale(), false));
        assertTrue(e.getMessage().contains("up to 256") && e.getMessage().contains("300"), e.getMessage());
    }

    /** |got - want| <= bound (1 + |want|) elementwise; infinities must match exactly. */
    private static void assertClose(String what, Tensor want, Tensor got, double bound) {
        double[] w = want.toDoubleArray();
        double[] g = got.toDoubleArray();
        assertEquals(w.length, g.length, what + " size");
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            boolean ok = Double.isInfinite(w[i]) ? w[i] == g[i] : Math.abs(g[i] - w[i]) <= bound * (1 + Math.abs(w[i]));
            if (!ok && bad.size() < 5) {
                bad.add("[" + i + "] want " + w[i] + " got " + g[i]);
            }
        }
        assertTrue(bad.isEmpty(), what + " differs from the reference (bound " + bound + "): " + bad);
    }
}
