package dev.tessera.tests.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Storage;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Random chains of view ops applied both to a tensor and to {@link NdModel}: after every step the
 * tensor has the model's shape and elements, read two ways (strides by hand, and through
 * {@code contiguous()}), and still shares the storage it started with, unless a reshape had to
 * copy because {@code view} refused.
 */
class ViewChainTest {
    /** Keeps expand from building huge tensors out of many unsqueezed dims. */
    private static final int MAX_NUMEL = 20_000;
    private static final int MAX_RANK = 8;

    enum Kind { PERMUTE, TRANSPOSE, SLICE, NARROW, SELECT, EXPAND, SQUEEZE_ALL, SQUEEZE_DIM, UNSQUEEZE, RESHAPE }

    /** One op; its arguments are derived from a, b, c and the current shape, so every step is valid or skipped. */
    record Step(Kind kind, int a, int b, int c) {}

    @Provide
    Arbitrary<List<Step>> scripts() {
        Arbitrary<Integer> any = Arbitraries.integers().between(0, 1 << 20);
        return Combinators.combine(Arbitraries.of(Kind.class), any, any, any).as(Step::new).list().ofMaxSize(7);
    }

    @Property(tries = 1000)
    void viewChainsMatchTheModel(@ForAll @Size(max = 5) List<@IntRange(min = 0, max = 6) Integer> sizes,
            @ForAll("scripts") List<Step> script) {
        int[] shape = sizes.stream().mapToInt(Integer::intValue).toArray();
        NdModel model = NdModel.positions(shape);
        Tensor t = Tensor.of(floats(model.data())).view(model.longShape());
        Storage storage = t.storage();
        check(t, model, storage);
        for (Step step : script) {
            State next = apply(step, new State(t, model, storage));
            t = next.tensor;
            model = next.model;
            storage = next.storage;
            check(t, model, storage);
        }
    }

    private record State(Tensor tensor, NdModel model, Storage storage) {}

    private static State apply(Step s, State in) {
        Tensor t = in.tensor;
        NdModel m = in.model;
        int r = m.rank();
        int[] shape = m.shape();
        switch (s.kind) {
            case PERMUTE -> {
                int[] perm = new int[r];
                Arrays.setAll(perm, i -> i);
                Random random = new Random(s.a);
                for (int i = r - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int tmp = perm[i];
                    perm[i] = perm[j];
                    perm[j] = tmp;
                }
                // Odd b: name the dims from the end.
                int[] asked = Arrays.stream(perm).map(p -> s.b % 2 == 1 ? p - r : p).toArray();
                return new State(t.permute(asked), m.permute(perm), in.storage);
            }
            case TRANSPOSE -> {
                if (r == 0) {
                    return in;
                }
                int da = s.a % r;
                int db = s.b % r;
                return new State(t.transpose(s.c % 2 == 1 ? da - r : da, db), m.transpose(da, db), in.storage);
            }
            case SLICE -> {
                if (r == 0) {
                    return in;
                }
                int d = s.a % r;
                int n = shape[d];
                int span = 2 * n + 3;
                long start = s.b % span - (n + 1);
                long end = s.c % span - (n + 1);
                long step = 1 + (s.c / span) % 3;
                return new State(t.slice(d, start, end, step), m.slice(d, start, end, step), in.storage);
            }
            case NARROW -> {
                if (r == 0) {
                    return in;
                }
                int d = s.a % r;
                int start = s.b % (shape[d] + 1);
                int length = s.c % (shape[d] - start + 1);
                return new State(t.narrow(d, start, length), m.narrow(d, start, length), in.storage);
            }
            case SELECT -> {
                if (r == 0) {
                    return in;
                }
                int d = s.a % r;
                if (shape[d] == 0) {
                    return in;
                }
                int index = s.b % shape[d];
                long asked = s.c % 2 == 1 ? index - shape[d] : index;
                return new State(t.select(d, asked), m.select(d, index), in.storage);
            }
            case EXPAND -> {
                int lead = s.b % 2;
                int[] sizes = new int[r + lead];
                long[] asked = new long[r + lead];
                Random random = new Random(s.a);
                for (int i = 0; i < sizes.length; i++) {
                    int old = i < lead ? 1 : shape[i - lead];
                    sizes[i] = old == 1 ? random.nextInt(7) : old;
                    // -1 keeps a size (allowed only for existing dims)
                    asked[i] = i >= lead && random.nextBoolean() ? -1 : sizes[i];
                    if (i >= lead && asked[i] == -1) {
                        sizes[i] = old;
                    }
                }
                if (NdModel.numel(sizes) > MAX_NUMEL || sizes.length > MAX_RANK) {
                    return in;
                }
                return new State(t.expand(asked), m.expand(sizes), in.storage);
            }
            case SQUEEZE_ALL -> {
                return new State(t.squeeze(), m.squeezeAll(), in.storage);
            }
            case SQUEEZE_DIM -> {
                if (r == 0) {
                    return in;
                }
                int d = s.a % r;
                return new State(t.squeeze(s.b % 2 == 1 ? d - r : d), m.squeeze(d), in.storage);
            }
            case UNSQUEEZE -> {
                if (r >= MAX_RANK) {
                    return in;
                }
                int d = s.a % (r + 1);
                return new State(t.unsqueeze(s.b % 2 == 1 ? d - r - 1 : d), m.unsqueeze(d), in.storage);
            }
            case RESHAPE -> {
                int[] target = factorShape(m.data().length, s);
                long[] asked = Arrays.stream(target).asLongStream().toArray();
                int known = 1;
                for (int i = 0; i < target.length; i++) {
                    if (i != s.b % Math.max(1, target.length)) {
                        known *= target[i];
                    }
                }
                // -1 only where the rest of the shape determines it (a 0 elsewhere makes it ambiguous).
                if (target.length > 0 && known != 0 && s.c % 2 == 1) {
                    asked[s.b % target.length] = -1;
                }
                return reshape(in, asked, m.reshape(target));
            }
        }
        throw new AssertionError(s);
    }

    /** view if the layout allows, else checks view's refusal and reshape's copy. */
    private static State reshape(State in, long[] asked, NdModel model) {
        Tensor t = in.tensor;
        Tensor viewed;
        try {
            viewed = t.view(asked);
        } catch (IllegalArgumentException refused) {
            assertFalse(t.isContiguous(), "a contiguous tensor can always be viewed: " + refused.getMessage());
            assertTrue(refused.getMessage().contains("view") && refused.getMessage().contains(Shape.str(t.shape())),
                    refused.getMessage());
            Tensor copied = t.reshape(asked);
            assertNotSame(in.storage, copied.storage(), "reshape copies when view cannot");
            Statistics.collect("copied");
            return new State(copied, model, copied.storage());
        }
        assertSame(in.storage, t.reshape(asked).storage(), "reshape is a view when view succeeds");
        Statistics.collect(t.isContiguous() ? "viewed contiguous" : "viewed strided");
        return new State(viewed, model, in.storage);
    }

    /** A shape with {@code numel} elements chosen by the step's numbers: divisors of what remains. */
    private static int[] factorShape(int numel, Step s) {
        Random random = new Random(s.a);
        int rank = s.c % 5;
        if (numel == 0) {
            int[] shape = new int[Math.max(1, rank)];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = 1 + random.nextInt(3);
            }
            shape[s.b % shape.length] = 0;
            return shape;
        }
        if (rank == 0 && numel != 1) {
            rank = 1;
        }
        int[] shape = new int[rank];
        int rest = numel;
        for (int i = 0; i < rank - 1; i++) {
            List<Integer> divisors = new ArrayList<>();
            for (int k = 1; k <= rest; k++) {
                if (rest % k == 0) {
                    divisors.add(k);
                }
            }
            shape[i] = divisors.get(random.nextInt(divisors.size()));
            rest /= shape[i];
        }
        if (rank > 0) {
            shape[rank - 1] = rest;
        }
        return shape;
    }

    private static void check(Tensor t, NdModel m, Storage storage) {
        assertArrayEquals(m.longShape(), t.shape(), "shape");
        assertSame(storage, t.storage(), "a view shares its storage");
        assertEquals(DType.F32, t.dtype());
        // Through the strides by hand: the plain index computation of the layout.
        MemorySegment segment = t.storage().segment();
        long[] strides = t.strides();
        for (int[] index : NdModel.indices(m.shape())) {
            long at = t.offset();
            for (int d = 0; d < index.length; d++) {
                at += index[d] * strides[d];
            }
            assertEquals(m.get(index), DType.F32.read(segment, at), () -> "element " + Arrays.toString(index));
        }
        // Through the copy kernel.
        assertArrayEquals(floats(m.data()), t.contiguous().toFloatArray());
    }

    private static float[] floats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
