package dev.tessera.tests.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.Backend;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The opencl MoE dispatch (moe_plan, moe_permute, moe_unpermute and its backward) called directly
 * on the backend against the reference backend: plans bit for bit (capacity drops, tokens with
 * every slot dropped, T = 0, E = 1, several plan blocks, I32 and strided ids), the gathers within
 * float rounding and the same bits twice, and bad ids, orders and positions refused with the
 * reference's message before anything is written.
 */
@ExtendWith(OpenClAvailable.class)
class OpenClMoeDispatchTest {
    private static final Backend CL = Device.opencl().backend();
    private static final Backend REF = Device.reference().backend();

    /** counts, order and position of a plan made by {@code backend} on {@code device}. */
    private static long[][] plan(Backend backend, Device device, Tensor ids, int experts, long capacity) {
        long tokens = ids.shape()[0];
        long topK = ids.shape()[1];
        Tensor counts = Tensor.empty(DType.I64, device, experts);
        Tensor order = Tensor.empty(DType.I64, device, tokens * topK);
        Tensor position = Tensor.empty(DType.I64, device, tokens, topK);
        backend.moePlan(ids.to(device), capacity, counts, order, position);
        return new long[][] {counts.toLongArray(), order.toLongArray(), position.toLongArray()};
    }

    /** Ids of [tokens, topK] in [0, experts), skewed toward low experts so that capacity drops some. */
    private static Tensor ids(Random r, long tokens, int topK, int experts) {
        long[] v = new long[(int) (tokens * topK)];
        for (int i = 0; i < v.length; i++) {
            double u = r.nextDouble();
            v[i] = Math.min(experts - 1, (long) (u * u * experts));
        }
        return Tensor.of(v, tokens, topK);
    }

    @Test
    void plansEqualTheReference() {
        Random r = new Random(1);
        long[] tokenCounts = {0, 1, 5, 37, 300, 1000};
        int[] topKs = {1, 2, 4};
        int[] expertCounts = {1, 3, 8, 64};
        for (long tokens : tokenCounts) {
            for (int topK : topKs) {
                for (int experts : expertCounts) {
                    long assignments = tokens * topK;
                    for (long capacity : new long[] {0, 1, Math.max(1, assignments / (2L * experts)), Long.MAX_VALUE}) {
                        Tensor ids = ids(r, tokens, topK, experts);
                        String what = tokens + "x" + topK + " ids, " + experts + " experts, capacity " + capacity;
                        long[][] want = plan(REF, Device.reference(), ids, experts, capacity);
                        assertPlan(want, plan(CL, Device.opencl(), ids, experts, capacity), what);
                        assertPlan(want, plan(CL, Device.opencl(), ids.to(DType.I32), experts, capacity), what + ", I32");
                        // The same ids as a transposed view of a [topK, tokens] tensor.
                        Tensor strided = ids.t().contiguous().t();
                        assertPlan(want, plan(CL, Device.opencl(), strided, experts, capacity), what + ", strided");
                    }
                }
            }
        }
    }

    private static void assertPlan(long[][] want, long[][] got, String what) {
        assertArrayEquals(want[0], got[0], "counts, " + what);
        assertArrayEquals(want[1], got[1], "order, " + what);
        assertArrayEquals(want[2], got[2], "position, " + what);
    }

    @Test
    void gathersMatchTheReferenceAndRepeatBitForBit() {
        Random r = new Random(2);
        Generator g = new Generator(3);
        int[][] configs = {{0, 2, 4, 8}, {1, 1, 1, 5}, {9, 2, 1, 3}, {40, 3, 5, 70}, {200, 4, 8, 300}, {33, 2, 4, 1}};
        for (DType type : new DType[] {DType.F32, DType.F64, DType.BF16}) {
            for (int[] c : configs) {
                int tokens = c[0];
                int topK = c[1];
                int experts = c[2];
                int width = c[3];
                // Capacity 1 drops most slots, so that some tokens lose every slot.
                for (long capacity : new long[] {1, Long.MAX_VALUE}) {
                    checkGathers(type, ids(r, tokens, topK, experts), experts, capacity, width, g,
                            type + " " + tokens + "x" + topK + " E " + experts + " H " + width + " cap " + capacity);
                }
            }
        }
    }

    private static void checkGathers(DType type, Tensor ids, int experts, long capacity, int width, Generator g,
            String what) {
        long tokens = ids.shape()[0];
        long topK = ids.shape()[1];
        long[][] p = plan(REF, Device.reference(), ids, experts, capacity);
        long rows = 0;
        for (long n : p[0]) {
            rows += n;
        }
        Tensor order = Tensor.of(java.util.Arrays.copyOf(p[1], (int) rows));
        Tensor position = Tensor.of(p[2], tokens, topK);
        // x and weights as transposed views, the other operands contiguous.
        Tensor x = Tensor.randn(g, width, tokens).to(type).t();
        Tensor weights = Tensor.rand(g, topK, tokens).to(type).t();
        Tensor yp = Tensor.randn(g, rows, width).to(type);
        Tensor gradOut = Tensor.randn(g, tokens, width).to(type);

        Tensor[] want = gathers(REF, Device.reference(), type, x, order, position, weights, yp, gradOut, (int) topK);
        Tensor[] got = gathers(CL, Device.opencl(), type, x, order, position, weights, yp, gradOut, (int) topK);
        Tensor[] again = gathers(CL, Device.opencl(), type, x, order, position, weights, yp, gradOut, (int) topK);
        String[] names = {"moe_permute", "moe_unpermute", "grad yp", "grad weights"};
        // Terms per output: topK for unpermute, 1 for the row gradient, width for the dot products.
        long[] terms = {0, topK, 1, width};
        for (int i = 0; i < want.length; i++) {
            double[] a = want[i].toDoubleArray();
            double[] b = got[i].toDoubleArray();
            assertArrayEquals(bits(b), bits(again[i].toDoubleArray()), names[i] + " twice, " + what);
            double eps = type == DType.F64 ? 0x1p-52 : type == DType.F32 ? 0x1p-23 : 0x1p-7;
            for (int j = 0; j < a.length; j++) {
                // Inputs are below 4 in magnitude and weights below 1: each term is below 4.
                double tol = terms[i] == 0 ? 0 : eps * (2 + terms[i]) * 4 * Math.max(1, Math.abs(a[j]));
                assertTrue(Math.abs(a[j] - b[j]) <= tol || a[j] == b[j],
                        names[i] + "[" + j + "] " + b[j] + " vs the reference's " + a[j] + ", " + what);
            }
        }
    }

    private static long[] bits(double[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Double.doubleToLongBits(v[i]);
        }
        return b;
    }

    /** {permuted x, unpermuted yp, grad yp, grad weights} on one backend. */
    private static Tensor[] gathers(Backend backend, Device device, DType type, Tensor x, Tensor order, Tensor position,
            Tensor weights, Tensor yp, Tensor gradOut, int topK) {
        long rows = order.shape()[0];
        long tokens = position.shape()[0];
        long width = yp.shape()[1];
        Tensor xd = x.to(device);
        Tensor od = order.to(device);
        Tensor pd = position.to(device);
        Tensor wd = weights.to(device);
        Tensor yd = yp.to(device);
        Tensor permuted = Tensor.empty(type, device, rows, width);
        backend.moePermute(xd, od, topK, permuted);
        Tensor out = Tensor.empty(type, device, tokens, width);
        backend.moeUnpermute(yd, pd, wd, out);
        Tensor gradYp = Tensor.empty(type, device, rows, width);
        Tensor gradWeights = Tensor.empty(type, device, tokens, topK);
        backend.moeUnpermuteBackward(gradOut.to(device), yd, od, pd, wd, gradYp, gradWeights);
        return new Tensor[] {permuted, out, gradYp, gradWeights};
    }

    @Test
    void badIdsAreRefusedWithTheReferenceMessageBeforeAnyWrite() {
        Tensor ids = Tensor.of(new long[] {0, 1, 2, 3, 1, -1}, 3, 2);
        assertSameRefusal(b -> plan(b, b == CL ? Device.opencl() : Device.reference(), ids, 3, 10), "moe_plan");
        Tensor outOfRange = Tensor.of(new int[] {0, 5, 1, 7}, 2, 2);
        assertSameRefusal(b -> plan(b, b == CL ? Device.opencl() : Device.reference(), outOfRange, 4, 10), "moe_plan");
        // Nothing written: the outputs keep what they held.
        Tensor counts = Tensor.full(7, DType.I64, 3).to(Device.opencl());
        Tensor order = Tensor.full(7, DType.I64, 6).to(Device.opencl());
        Tensor position = Tensor.full(7, DType.I64, 3, 2).to(Device.opencl());
        assertThrows(IllegalArgumentException.class,
                () -> CL.moePlan(ids.to(Device.opencl()), 10, counts, order, position));
        assertArrayEquals(new long[] {7, 7, 7}, counts.toLongArray());
        assertArrayEquals(new long[] {7, 7, 7, 7, 7, 7}, order.toLongArray());
        assertArrayEquals(new long[] {7, 7, 7, 7, 7, 7}, position.toLongArray());
    }

    @Test
    void badOrdersAndPositionsAreRefusedWithTheReferenceMessage() {
        Tensor x = Tensor.randn(new Generator(4), 3, 4);
        Tensor yp = Tensor.randn(new Generator(5), 4, 4);
        Tensor weights = Tensor.rand(new Generator(6), 3, 2);
        Tensor gradOut = Tensor.randn(new Generator(7), 3, 4);
        Tensor goodOrder = Tensor.of(new long[] {0, 2, 5, 3});
        Tensor goodPosition = Tensor.of(new long[] {0, -1, 1, 3, -1, 2}, 3, 2);
        for (long[] bad : new long[][] {{0, 6, 1, 2}, {0, 1, -1, 2}}) {
            Tensor order = Tensor.of(bad);
            assertSameRefusal(b -> run(b, d -> b.moePermute(x.to(d), order.to(d), 2,
                    Tensor.empty(DType.F32, d, 4, 4))), "moe_permute");
            assertSameRefusal(b -> run(b, d -> b.moeUnpermuteBackward(gradOut.to(d), yp.to(d), order.to(d),
                    goodPosition.to(d), weights.to(d), Tensor.empty(DType.F32, d, 4, 4),
                    Tensor.empty(DType.F32, d, 3, 2))), "moe_unpermute_backward");
        }
        for (long[] bad : new long[][] {{0, -1, 1, 4, -1, 2}, {0, -2, 1, 3, -1, 2}}) {
            Tensor position = Tensor.of(bad, 3, 2);
            assertSameRefusal(b -> run(b, d -> b.moeUnpermute(yp.to(d), position.to(d), weights.to(d),
                    Tensor.empty(DType.F32, d, 3, 4))), "moe_unpermute");
            assertSameRefusal(b -> run(b, d -> b.moeUnpermuteBackward(gradOut.to(d), yp.to(d), goodOrder.to(d),
                    position.to(d), weights.to(d), Tensor.empty(DType.F32, d, 4, 4),
                    Tensor.empty(DType.F32, d, 3, 2))), "moe_unpermute_backward");
        }
    }

    private static Object run(Backend b, Consumer<Device> call) {
        call.accept(b == CL ? Device.opencl() : Device.reference());
        return null;
    }

    /** Both backends throw an IllegalArgumentException with the same message, which names {@code op}. */
    private static void assertSameRefusal(java.util.function.Function<Backend, Object> call, String op) {
        String want = assertThrows(IllegalArgumentException.class, () -> call.apply(REF)).getMessage();
        String got = assertThrows(IllegalArgumentException.class, () -> call.apply(CL)).getMessage();
        assertEquals(want, got);
        assertTrue(want.startsWith(op + ": "), want);
    }
}
