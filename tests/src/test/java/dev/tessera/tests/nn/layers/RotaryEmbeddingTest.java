package dev.tessera.tests.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.RotaryEmbedding;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** RoPE against the per-element formula, its relative-position property, offsets, its gradient and bad input. */
class RotaryEmbeddingTest {
    private static final double EPS = 0x1p-23;
    private static final double THETA = 10000;

    /** out[d] for d < D/2: x[d] cos - x[d + D/2] sin; for d >= D/2: x[d] cos + x[d - D/2] sin; angle = p theta^(-2i/D). */
    private static double formula(double[] head, int d, long position) {
        int dim = head.length;
        int half = dim / 2;
        int i = d % half;
        double angle = position * Math.pow(THETA, -2.0 * i / dim);
        double partner = d < half ? -head[d + half] : head[d - half];
        return head[d] * Math.cos(angle) + partner * Math.sin(angle);
    }

    private static void checkFormula(Device device, DType dtype, double tol) {
        long[] positions = {0, 5, 1000};
        Tensor x = Tensor.randn(new Generator(1), 2, 3, 3, 6);
        double[] values = x.toDoubleArray();
        Tensor out = new RotaryEmbedding(6, THETA).apply(x.to(dtype).to(device), Tensor.of(positions, 3).to(device));
        assertEquals(dtype, out.dtype());
        double[] got = out.toDoubleArray();
        for (int head = 0; head < values.length / 6; head++) {
            double[] row = java.util.Arrays.copyOfRange(values, head * 6, head * 6 + 6);
            for (int d = 0; d < 6; d++) {
                assertEquals(formula(row, d, positions[head % 3]), got[head * 6 + d], tol, "head " + head + ", d " + d);
            }
        }
    }

    @Test
    void matchesThePerElementFormula() {
        checkFormula(Device.reference(), DType.F64, 1e-12);
        // F32: x cos + x' sin with the table rounded to F32: a few eps of max|x| (under 4).
        checkFormula(Device.cpu(), DType.F32, 4 * 4 * EPS);
    }

    /** dot(rope(q, m), rope(k, n)) for positions m and n, with q and k single heads [1, 1, 1, D]. */
    private static double rotatedDot(RotaryEmbedding rope, Tensor q, Tensor k, long m, long n) {
        Tensor rq = rope.apply(q, Tensor.of(new long[] {m}, 1));
        Tensor rk = rope.apply(k, Tensor.of(new long[] {n}, 1));
        return rq.mul(rk).sum().item();
    }

    @Test
    void theScoreDependsOnlyOnTheRelativePosition() {
        RotaryEmbedding rope = new RotaryEmbedding(16, THETA);
        Generator g = new Generator(2);
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            Tensor q = Tensor.randn(g, 1, 1, 1, 16).to(dtype);
            Tensor k = Tensor.randn(g, 1, 1, 1, 16).to(dtype);
            double scale = q.square().sum().sqrt().item() * k.square().sum().sqrt().item();
            // F32: 16 products and sums of rotated values, each off by a few eps (the table entries up to 1 ulp).
            double tol = (dtype == DType.F64 ? 1e-12 : 64 * EPS) * scale;
            double base = rotatedDot(rope, q, k, 3, 0);
            assertEquals(base, rotatedDot(rope, q, k, 10, 7), tol, dtype + " m - n = 3");
            assertEquals(base, rotatedDot(rope, q, k, 1003, 1000), tol, dtype + " m - n = 3");
            assertEquals(rotatedDot(rope, q, k, 0, 5), rotatedDot(rope, q, k, 95, 100), tol, dtype + " m - n = -5");
            assertNotEquals(base, rotatedDot(rope, q, k, 4, 0), 1e3 * tol, dtype + ": another distance, another score");
        }
    }

    @Test
    void positionsWithAnOffsetEqualASliceOfALongerRun() {
        RotaryEmbedding rope = new RotaryEmbedding(8, THETA);
        Tensor x = Tensor.randn(new Generator(3), 1, 2, 10, 8);
        Tensor whole = rope.apply(x, Tensor.arange(10));
        Tensor tail = rope.apply(x.narrow(2, 4, 3).contiguous(), Tensor.of(new long[] {4, 5, 6}, 3));
        assertArrayEquals(whole.narrow(2, 4, 3).contiguous().toFloatArray(), tail.toFloatArray());
    }

    @Test
    void perSequencePositionsRotateEachSequenceByItsOwnRow() {
        RotaryEmbedding rope = new RotaryEmbedding(4, THETA);
        Tensor x = Tensor.randn(new Generator(4), 2, 3, 2, 4);
        long[][] rows = {{0, 1}, {37, 38}};
        Tensor both = rope.apply(x, Tensor.of(new long[] {0, 1, 37, 38}, 2, 2).to(DType.I32));
        for (int b = 0; b < 2; b++) {
            Tensor alone = rope.apply(x.narrow(0, b, 1).contiguous(), Tensor.of(rows[b], 2));
            assertArrayEquals(alone.toFloatArray(), both.narrow(0, b, 1).contiguous().toFloatArray(), "sequence " + b);
        }
    }

    @Test
    void gradientMatchesCentralDifferencesInF64() {
        RotaryEmbedding rope = new RotaryEmbedding(4, THETA);
        Device ref = Device.reference();
        Tensor positions = Tensor.of(new long[] {2, 9, 500}, 3).to(ref);
        double[] xv = Tensor.randn(new Generator(5), 1, 2, 3, 4).to(DType.F64).toDoubleArray();
        Tensor w = Tensor.randn(new Generator(6), 1, 2, 3, 4).to(DType.F64).to(ref);
        Tensor x = Tensor.of(xv, 1, 2, 3, 4).to(ref).requiresGrad(true);
        rope.apply(x, positions).mul(w).sum().backward();
        double[] analytic = x.grad().toDoubleArray();
        for (int e = 0; e < xv.length; e++) {
            double h = 1e-6;
            double[] up = xv.clone();
            double[] down = xv.clone();
            up[e] += h;
            down[e] -= h;
            double plus = rope.apply(Tensor.of(up, 1, 2, 3, 4).to(ref), positions).mul(w).sum().item();
            double minus = rope.apply(Tensor.of(down, 1, 2, 3, 4).to(ref), positions).mul(w).sum().item();
            // The loss is linear in x: the difference is exact up to the rounding of the sums (1e-16 / 1e-6).
            assertEquals((plus - minus) / (2 * h), analytic[e], 1e-8, "element " + e);
        }
    }

    @Test
    void halfPrecisionInputsKeepTheirDtype() {
        Tensor x = Tensor.randn(new Generator(7), 1, 1, 2, 4).to(DType.BF16);
        Tensor out = new RotaryEmbedding(4, THETA).apply(x, Tensor.of(new long[] {0, 1}, 2));
        assertEquals(DType.BF16, out.dtype());
        assertArrayEquals(x.narrow(2, 0, 1).contiguous().toFloatArray(), out.narrow(2, 0, 1).contiguous().toFloatArray(),
                "position 0 is the identity");
    }

    @Test
    void refusesBadInput() {
        assertMessage(() -> new RotaryEmbedding(7, THETA), "even", "7");
        assertMessage(() -> new RotaryEmbedding(0, THETA), "even", "0");
        assertMessage(() -> new RotaryEmbedding(8, 0.5), "theta", "0.5");
        RotaryEmbedding rope = new RotaryEmbedding(8, THETA);
        Tensor positions = Tensor.of(new long[] {0, 1, 2}, 3);
        assertMessage(() -> rope.apply(Tensor.zeros(2, 3, 8), positions), "[B, H, N, 8]", "[2, 3, 8]");
        assertMessage(() -> rope.apply(Tensor.zeros(1, 2, 3, 6), positions), "[B, H, N, 8]", "[1, 2, 3, 6]");
        assertMessage(() -> rope.apply(Tensor.zeros(DType.I64, 1, 2, 3, 8), positions), "I64");
        assertMessage(() -> rope.apply(Tensor.zeros(1, 2, 3, 8), Tensor.zeros(3)), "I64 or I32", "F32");
        assertMessage(() -> rope.apply(Tensor.zeros(1, 2, 3, 8), Tensor.of(new long[] {0, 1}, 2)), "[3] or [1, 3]", "[2]");
        assertMessage(() -> rope.apply(Tensor.zeros(1, 2, 3, 8), Tensor.zeros(DType.I64, 2, 3)), "[3] or [1, 3]", "[2, 3]");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... fragments) {
        String message = assertThrows(IllegalArgumentException.class, call).getMessage();
        assertTrue(message.contains("rotary_embedding"), message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "'" + fragment + "' missing from: " + message);
        }
    }
}
