package dev.tessera.tests.ops;

import static dev.tessera.tests.ops.Tolerance.EPS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.ValuesIndices;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Identities that hold whatever the backend: each try runs on the cpu and on the reference.
 * They check meaning, where the equivalence properties check agreement.
 */
class AlgebraicPropertiesTest {
    private static final List<Device> DEVICES = List.of(Device.cpu(), Device.reference());

    @Provide
    Arbitrary<Long> sizes() {
        return Shapes.sizes().filter(s -> s <= 65);
    }

    @Provide
    Arbitrary<Long> positiveSizes() {
        return Shapes.sizes().filter(s -> s >= 1 && s <= 65);
    }

    @Provide
    Arbitrary<long[]> shapes() {
        return Shapes.small(1);
    }

    /** (AB)^T = B^T A^T: two summation layouts of the same k products, each within k eps (|A||B|). */
    @Property(tries = 100)
    void transposeOfProductIsProductOfTransposes(@ForAll("sizes") long m, @ForAll("sizes") long k, @ForAll("sizes") long n,
            @ForAll long seed) {
        Random r = new Random(seed);
        Input a = Cases.input("a", new long[] {m, k}, DType.F32, Domain.uniform(-1, 1), Cases.layout(r), r);
        Input b = Cases.input("b", new long[] {k, n}, DType.F32, Domain.uniform(-1, 1), Cases.layout(r), r);
        double[] bound = productMagnitudes(a, b, m, k, n);
        for (int i = 0; i < bound.length; i++) {
            bound[i] *= 2 * (k + 1) * EPS;
        }
        for (Device device : DEVICES) {
            Tensor ta = a.build(device);
            Tensor tb = b.build(device);
            Tensor left = ta.matmul(tb).t();
            Tensor right = tb.t().matmul(ta.t());
            assertArrayEquals(new long[] {n, m}, right.shape());
            assertWithin(device + " " + a + " " + b, Elements.doubles(left), Elements.doubles(right), transposed(bound, m, n));
        }
    }

    /** Sum over all dims at once = sums over one dim after another; exact for small integers, else within n eps sum|x|, twice. */
    @Property(tries = 150)
    void sumOverAllDimsEqualsSumsOverEachDimInTurn(@ForAll("shapes") long[] shape, @ForAll long seed) {
        Random r = new Random(seed);
        Input x = Cases.input("x", shape, DType.F32, Cases.sometimesIntegral(Domain.uniform(-1, 1), r), Cases.layout(r), r);
        double absSum = Arrays.stream(asF32(x.values())).map(Math::abs).sum();
        double allowed = x.domain().integral() ? 0 : 2 * (Shapes.numel(shape) + 1) * EPS * absSum;
        for (Device device : DEVICES) {
            Tensor t = x.build(device);
            Tensor inTurn = t;
            while (inTurn.rank() > 0) {
                inTurn = inTurn.sum(r.nextInt(inTurn.rank()));
            }
            double all = t.sum().item();
            double turn = inTurn.item();
            assertTrue(Math.abs(all - turn) <= allowed, device + " " + x + ": sum() " + all + ", dim by dim " + turn);
        }
    }

    /** Rows of a softmax sum to 1 within (n + 24) eps, and adding a constant to a row changes nothing beyond rounding. */
    @Property(tries = 100)
    void softmaxRowsSumToOneAndIgnoreAConstantPerRow(@ForAll("positiveSizes") long rows, @ForAll("positiveSizes") long n,
            @ForAll long seed) {
        Random r = new Random(seed);
        Input x = Cases.input("x", new long[] {rows, n}, DType.F32, Domain.uniform(-10, 10), Cases.layout(r), r);
        Input shift = Cases.input("c", new long[] {rows, 1}, DType.F32, Domain.uniform(-50, 50), Layout.CONTIGUOUS, r);
        for (Device device : DEVICES) {
            Tensor t = x.build(device);
            double[] s = Elements.doubles(t.softmax(-1));
            double[] shifted = Elements.doubles(t.add(shift.build(device)).softmax(1));
            for (int i = 0; i < rows; i++) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += s[(int) (i * n + j)];
                }
                assertEquals(1, sum, (n + 24) * EPS, device + " " + x + ": row " + i + " sums to " + sum);
            }
            // x + c rounds by up to 30 ulps on these ranges; both softmaxes carry (n + 24) eps.
            double[] allowed = Arrays.stream(s).map(v -> (2 * n + 120) * EPS * v + Float.MIN_NORMAL).toArray();
            assertWithin(device + " " + x + " shifted by " + shift, s, shifted, allowed);
        }
    }

    /** log_softmax = log(softmax): absolute (2n + 60) eps from both softmax errors, plus log's own ulps. */
    @Property(tries = 100)
    void logSoftmaxIsTheLogOfSoftmax(@ForAll("shapes") long[] shape, @ForAll long seed) {
        Random r = new Random(seed);
        Input x = Cases.input("x", shape, DType.F32, Domain.uniform(-10, 10), Cases.layout(r), r);
        int dim = r.nextInt(shape.length);
        for (Device device : DEVICES) {
            Tensor t = x.build(device);
            double[] direct = Elements.doubles(t.logSoftmax(dim));
            double[] composed = Elements.doubles(t.softmax(dim).log());
            double[] allowed = Arrays.stream(direct).map(v -> (2 * shape[dim] + 60) * EPS + 4 * EPS * Math.abs(v)).toArray();
            assertWithin(device + " " + x + ", dim " + dim, direct, composed, allowed);
        }
    }

    /** topk(k) is the first k of a stable sort, values and indices; equal values keep ascending indices. */
    @Property(tries = 150)
    void topkIsTheHeadOfAStableSort(@ForAll("shapes") long[] shape, @ForAll long seed) {
        Random r = new Random(seed);
        Input x = Cases.input("x", shape, DType.F32, Cases.sometimesIntegral(Domain.uniform(-1, 1), r), Cases.layout(r), r);
        int dim = r.nextInt(shape.length);
        int k = r.nextInt((int) shape[dim] + 1);
        boolean largest = r.nextBoolean();
        for (Device device : DEVICES) {
            String what = device + " " + x + ", k " + k + ", dim " + dim + ", largest " + largest;
            Tensor t = x.build(device);
            ValuesIndices top = t.topk(k, dim, largest);
            ValuesIndices sorted = t.sort(dim, largest);
            assertArrayEquals(Elements.doubles(sorted.values().narrow(dim, 0, k)), Elements.doubles(top.values()), what);
            assertArrayEquals(Elements.longs(sorted.indices().narrow(dim, 0, k)), Elements.longs(top.indices()), what);
            double[] values = Elements.doubles(top.values().transpose(dim, -1));
            long[] indices = Elements.longs(top.indices().transpose(dim, -1));
            for (int i = 1; i < values.length; i++) {
                if (i % k != 0 && values[i] == values[i - 1]) {
                    assertTrue(indices[i] > indices[i - 1], what + ": tie at " + i + " keeps indices " + indices[i - 1]
                            + ", " + indices[i]);
                }
            }
        }
    }

    /** sort orders each row (NaN last when ascending) and its indices are a permutation that picks those values. */
    @Property(tries = 150)
    void sortIsAnOrderedPermutation(@ForAll("shapes") long[] shape, @ForAll long seed) {
        Random r = new Random(seed);
        Domain domain = Cases.sometimesIntegral(Domain.uniform(-1, 1).withSpecials(Double.NaN, Double.POSITIVE_INFINITY), r);
        Input x = Cases.input("x", shape, DType.F32, domain, Cases.layout(r), r);
        int dim = r.nextInt(shape.length);
        boolean descending = r.nextBoolean();
        int n = (int) shape[dim];
        for (Device device : DEVICES) {
            String what = device + " " + x + ", dim " + dim + ", descending " + descending;
            Tensor t = x.build(device);
            ValuesIndices sorted = t.sort(dim, descending);
            double[] rowsIn = Elements.doubles(t.transpose(dim, -1));
            double[] values = Elements.doubles(sorted.values().transpose(dim, -1));
            long[] indices = Elements.longs(sorted.indices().transpose(dim, -1));
            for (int row = 0; row * n < values.length; row++) {
                boolean[] seen = new boolean[n];
                for (int j = 0; j < n; j++) {
                    int at = row * n + j;
                    int from = Math.toIntExact(indices[at]);
                    assertTrue(from >= 0 && from < n && !seen[from], what + ": row " + row + " indices are not a permutation");
                    seen[from] = true;
                    assertEquals(rowsIn[row * n + from], values[at], 0, what + ": value at " + at);
                    if (j > 0) {
                        int order = nanLast(values[at - 1], values[at]);
                        assertTrue(descending ? order >= 0 : order <= 0, what + ": row " + row + " out of order at " + j);
                    }
                }
            }
        }
    }

    /** x.gather(dim, x.argsort(dim)) is x.sort(dim).values(). */
    @Property(tries = 100)
    void gatherOfArgsortIsSort(@ForAll("shapes") long[] shape, @ForAll long seed) {
        Random r = new Random(seed);
        Input x = Cases.input("x", shape, DType.F32, Cases.sometimesIntegral(Domain.uniform(-1, 1), r), Cases.layout(r), r);
        int dim = r.nextInt(shape.length);
        boolean descending = r.nextBoolean();
        for (Device device : DEVICES) {
            Tensor t = x.build(device);
            assertArrayEquals(Elements.doubles(t.sort(dim, descending).values()),
                    Elements.doubles(t.gather(dim, t.argsort(dim, descending))), device + " " + x + ", dim " + dim);
        }
    }

    /** cat along a dim, then split by the parts' size, gives the parts back. */
    @Property(tries = 100)
    void catThenSplitGivesThePartsBack(@ForAll("shapes") long[] shape, @ForAll long seed) {
        Random r = new Random(seed);
        int dim = r.nextInt(shape.length);
        long size = Math.max(1, shape[dim]);
        int count = 1 + r.nextInt(4);
        List<Input> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long along = i == count - 1 ? 1 + r.nextLong(size) : size;
            parts.add(Cases.input("part" + i, Shapes.withSize(shape, dim, along), DType.F32, Domain.uniform(-1, 1),
                    Cases.layout(r), r));
        }
        for (Device device : DEVICES) {
            List<Tensor> tensors = parts.stream().map(p -> p.build(device)).toList();
            List<Tensor> back = Tensor.cat(tensors, dim).split(size, dim);
            assertEquals(count, back.size(), device + " " + parts);
            for (int i = 0; i < count; i++) {
                assertArrayEquals(tensors.get(i).shape(), back.get(i).shape(), device + " " + parts.get(i));
                assertArrayEquals(Elements.doubles(tensors.get(i)), Elements.doubles(back.get(i)), device + " " + parts.get(i));
            }
        }
    }

    /** one_hot(ids).argmax(-1) gives the ids back. */
    @Property(tries = 100)
    void argmaxOfOneHotGivesTheIndices(@ForAll("shapes") long[] shape, @ForAll long seed) {
        Random r = new Random(seed);
        long classes = 1 + r.nextInt(20);
        Input ids = new Input("ids", shape, DType.I64, Domain.integers(0, classes - 1), Cases.layout(r), r.nextLong());
        for (Device device : DEVICES) {
            Tensor t = ids.build(device);
            assertArrayEquals(Elements.longs(t), Elements.longs(t.oneHot(classes).argmax(-1)),
                    device + " " + ids + ", classes " + classes);
        }
    }

    /** NaN after every number, as sort and topk order them. */
    private static int nanLast(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Boolean.compare(Double.isNaN(a), Double.isNaN(b));
        }
        return Double.compare(a, b);
    }

    private static void assertWithin(String what, double[] want, double[] got, double[] allowed) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            int at = i;
            assertTrue(Equivalence.close(want[i], got[i], allowed[i]),
                    () -> what + ": element " + at + ": " + want[at] + " vs " + got[at] + " (allowed " + allowed[at] + ")");
        }
    }

    /** The values rounded to float, as an F32 tensor holds them. */
    private static double[] asF32(double[] values) {
        return Arrays.stream(values).map(v -> (float) v).toArray();
    }

    /** (|A| |B|)[i][j] in double, from the inputs' values as F32 holds them. */
    private static double[] productMagnitudes(Input a, Input b, long m, long k, long n) {
        double[] av = asF32(a.values());
        double[] bv = asF32(b.values());
        double[] out = new double[(int) (m * n)];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += Math.abs(av[(int) (i * k + p)] * bv[(int) (p * n + j)]);
                }
                out[(int) (i * n + j)] = s;
            }
        }
        return out;
    }

    /** An m x n row-major array as its n x m transpose. */
    private static double[] transposed(double[] values, long m, long n) {
        double[] out = new double[values.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                out[(int) (j * m + i)] = values[(int) (i * n + j)];
            }
        }
        return out;
    }
}
